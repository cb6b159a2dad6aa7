from django.contrib import admin

from .models import Article, Category, Order, Product, SimulatedVisitor


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "kind"]
    list_filter = ["kind"]


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ["title", "category", "published_at", "has_video"]
    list_filter = ["category", "has_video"]
    search_fields = ["title"]


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ["name", "category", "price", "sale_price"]
    list_filter = ["category"]
    search_fields = ["name"]


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    list_display = ["number", "total", "created_at"]
    readonly_fields = ["number", "items", "total", "email", "created_at"]


@admin.register(SimulatedVisitor)
class SimulatedVisitorAdmin(admin.ModelAdmin):
    list_display = ["visitor_id", "archetype", "consented", "site_key"]
    list_filter = ["archetype"]
    search_fields = ["visitor_id"]
