"""The demo news portal and shop: what the traffic simulator and the browser tests browse."""

from django.db import models
from django.urls import reverse
from django.utils import timezone


class Category(models.Model):
    class Kind(models.TextChoices):
        NEWS = "news", "News"
        SHOP = "shop", "Shop"

    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=100)
    kind = models.CharField(max_length=4, choices=Kind.choices)

    class Meta:
        ordering = ["kind", "name"]
        verbose_name_plural = "categories"

    def __str__(self) -> str:
        return self.name


class Article(models.Model):
    slug = models.SlugField(unique=True)
    title = models.CharField(max_length=200)
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="articles")
    summary = models.CharField(max_length=300)
    body = models.JSONField(help_text="Sections: [{heading, paragraphs: [...]}, ...].")
    has_video = models.BooleanField(default=False)
    published_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-published_at"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("demo:article", args=[self.slug])


class Product(models.Model):
    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=200)
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="products")
    description = models.TextField()
    price = models.DecimalField(max_digits=8, decimal_places=2)
    sale_price = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("demo:product", args=[self.slug])

    @property
    def current_price(self):
        return self.sale_price if self.sale_price is not None else self.price

    @property
    def on_sale(self) -> bool:
        return self.sale_price is not None


class Order(models.Model):
    number = models.CharField(max_length=20, unique=True)
    items = models.JSONField(help_text="[{product, name, quantity, price}, ...]")
    total = models.DecimalField(max_digits=10, decimal_places=2)
    email = models.EmailField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.number


class SimulatedVisitor(models.Model):
    """Ground truth of the traffic simulator, for evaluating segments only; nothing in the product reads it."""

    site_key = models.CharField(max_length=64)
    visitor_id = models.CharField(max_length=64)
    archetype = models.CharField(max_length=40)
    seed = models.BigIntegerField()
    consented = models.CharField(max_length=200, help_text="Categories the simulated visitor allowed.")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["site_key", "visitor_id"], name="simulated_visitor_unique")]

    def __str__(self) -> str:
        return f"{self.visitor_id}: {self.archetype}"
