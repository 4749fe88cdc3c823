from django.urls import path

from . import views

urlpatterns = [
    path("gift-cards/", views.GiftCardPurchaseApi.as_view(), name="gift-card-buy"),
    path("gift-cards/purchases/<uuid:purchase_id>/", views.GiftCardPurchaseDetailApi.as_view(),
         name="gift-card-purchase"),
    path("gift-cards/purchases/<uuid:purchase_id>/pay/", views.GiftCardPurchasePayApi.as_view(),
         name="gift-card-purchase-pay"),
    path("vouchers/<str:code>/", views.VoucherPreviewApi.as_view(), name="voucher-preview"),
    path("gift-cards/<str:code>/", views.GiftCardBalanceApi.as_view(),
         name="gift-card-balance"),
]
