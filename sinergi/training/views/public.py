"""Catalogue and the participant's pages. (Being written: placeholders raise until done.)"""


def _todo(*args, **kwargs):
    raise NotImplementedError


catalogue = batch_detail = register = group_register = my_registrations = _todo
registration_detail = registration_cancel = offer_accept = transfer_upload = _todo
