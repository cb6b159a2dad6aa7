from django.db import migrations, models


class Migration(migrations.Migration):
    """A session counts its cart changes instead of keeping a net count of items (order-dependent): whether it
    ended with items in the cart is decided from the person's cart when it closes. Sessions that had a net change
    count one change, so open ones are still decided on. A session's pages gain two figures (sessionize.page_of), which
the write path adds to rows written before."""

    dependencies = [
        ("personalization", "0004_erased_reason"),
    ]

    operations = [
        migrations.AddField(
            model_name="session",
            name="cart_changes",
            field=models.PositiveIntegerField(default=0, help_text="Items added to or removed from the cart."),
        ),
        migrations.RunSQL(
            "UPDATE personalization_session SET cart_changes = 1 WHERE cart_net <> 0",
            reverse_sql=migrations.RunSQL.noop,
        ),
        migrations.RemoveField(
            model_name="session",
            name="cart_net",
        ),
        migrations.AlterField(
            model_name="session",
            name="abandoned",
            field=models.BooleanField(
                default=False, help_text="Changed the cart and ended with items in it, decided when the session closed."
            ),
        ),
        migrations.AlterField(
            model_name="session",
            name="pages",
            field=models.JSONField(
                default=dict,
                help_text="Per page view: [highest engaged ms, deepest scroll %, category, lowest engaged ms, "
                "1 if it began in this session].",
            ),
        ),
    ]
