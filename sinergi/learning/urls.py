from .views import (
    assignments,
    attendance,
    classroom,
    home,
    questions,
    quizzes,
    reports,
    surveys,
)

app_name = "learning"

# Each area's views module keeps its own urlpatterns; all live under /learning/.
urlpatterns = [
    *home.urlpatterns,
    *classroom.urlpatterns,
    *attendance.urlpatterns,
    *questions.urlpatterns,
    *quizzes.urlpatterns,
    *assignments.urlpatterns,
    *surveys.urlpatterns,
    *reports.urlpatterns,
]
