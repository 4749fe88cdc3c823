"""Domain errors of vouchers and gift cards (409s the checkout and previews answer)."""

from project.errors import DomainError


class VouchersError(DomainError):
    pass


class VoucherInvalid(VouchersError):
    code, title = "voucher_invalid", "Voucher invalid"
    default_detail = "This code is not a valid voucher (unknown, expired or not yet valid)."


class VoucherUsedUp(VouchersError):
    code, title = "voucher_used_up", "Voucher used up"
    default_detail = "This voucher has no uses left for this order."


class VoucherNotApplicable(VouchersError):
    code, title = "voucher_not_applicable", "Voucher not applicable"
    default_detail = "This voucher does not apply to these tickets."


class GiftCardInvalid(VouchersError):
    code, title = "gift_card_invalid", "Gift card invalid"
    default_detail = "This code is not a valid gift card (unknown or expired)."


class GiftCardEmpty(VouchersError):
    code, title = "gift_card_empty", "Gift card empty"
    default_detail = "This gift card has no balance left."


class GiftCardNotFound(VouchersError):
    status, code, title = 404, "not_found", "Not found"
    default_detail = "No gift card has this code."


class VoucherNotFound(VouchersError):
    status, code, title = 404, "not_found", "Not found"
    default_detail = "No voucher has this code."


class PurchaseNotFound(VouchersError):
    status, code, title = 404, "not_found", "Not found"
    default_detail = "No such gift card purchase."
