"""Domain errors of vouchers and gift cards (409s the checkout and previews answer)."""

from django.utils.translation import gettext_lazy as _

from project.errors import DomainError


class VouchersError(DomainError):
    pass


class VoucherInvalid(VouchersError):
    code, title = "voucher_invalid", _("Voucher invalid")
    default_detail = _("This code is not a valid voucher (unknown, expired or not yet valid).")


class VoucherUsedUp(VouchersError):
    code, title = "voucher_used_up", _("Voucher used up")
    default_detail = _("This voucher has no uses left for this order.")


class VoucherNotApplicable(VouchersError):
    code, title = "voucher_not_applicable", _("Voucher not applicable")
    default_detail = _("This voucher does not apply to these tickets.")


class GiftCardInvalid(VouchersError):
    code, title = "gift_card_invalid", _("Gift card invalid")
    default_detail = _("This code is not a valid gift card (unknown or expired).")


class GiftCardEmpty(VouchersError):
    code, title = "gift_card_empty", _("Gift card empty")
    default_detail = _("This gift card has no balance left.")


class GiftCardNotFound(VouchersError):
    status, code, title = 404, "not_found", _("Not found")
    default_detail = _("No gift card has this code.")


class VoucherNotFound(VouchersError):
    status, code, title = 404, "not_found", _("Not found")
    default_detail = _("No voucher has this code.")


class PurchaseNotFound(VouchersError):
    status, code, title = 404, "not_found", _("Not found")
    default_detail = _("No such gift card purchase.")


class PurchaseNotRefundable(VouchersError):
    code, title = "purchase_not_refundable", _("Gift card purchase not refundable")
    default_detail = _("This gift card purchase cannot be refunded.")
