"""Staff pages for programs, batches and payments. (Being written.)"""


def _todo(*args, **kwargs):
    raise NotImplementedError


dashboard = program_create = program_edit = batch_create = batch_manage = batch_edit = _todo
participants_export = verification_queue = payment_approve = payment_reject = refund = _todo
