from django.urls import path

from . import views

app_name = "demo"
urlpatterns = [
    path("", views.home, name="home"),
    path("news/", views.news, name="news"),
    path("news/c/<slug:category>/", views.news, name="news_category"),
    path("news/<slug:slug>/", views.article, name="article"),
    path("shop/", views.shop, name="shop"),
    path("shop/c/<slug:category>/", views.shop, name="shop_category"),
    path("shop/sale/", views.shop, {"sale": True}, name="sale"),
    path("shop/p/<slug:slug>/", views.product, name="product"),
    path("shop/cart/", views.cart_view, name="cart"),
    path("shop/cart/add/", views.cart_add, name="cart_add"),
    path("shop/cart/remove/", views.cart_remove, name="cart_remove"),
    path("shop/checkout/", views.checkout, name="checkout"),
    path("shop/order/<str:number>/", views.order, name="order"),
]
