"""Every write of the online classroom, one module per area (content, attendance, questions,
quizzes, assignments, surveys, completion)."""
