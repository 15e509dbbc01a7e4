"""Invoice and receipt PDFs, protected proofs, the payment gateway. (Being written.)"""


def _todo(*args, **kwargs):
    raise NotImplementedError


invoice_pdf = receipt_pdf = gateway_start = payment_proof = midtrans_notification = _todo
