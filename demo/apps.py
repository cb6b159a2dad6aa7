from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo news portal and shop, and the traffic simulator."""

    name = "demo"

    def ready(self) -> None:
        from consent.registry import PersonalDataHandler, personal_data_register
        from rules.recommendations import item_source_register

        from .models import SimulatedVisitor
        from .recommendations import demo_items

        item_source_register("demo", demo_items)

        def labels(subject):
            return SimulatedVisitor.objects.filter(site_key=subject.site_key, visitor_id__in=subject.visitor_ids)

        personal_data_register(PersonalDataHandler(
            name="simulation_labels", models=(SimulatedVisitor,),
            export=lambda subject: list(labels(subject).values("visitor_id", "archetype")),
            erase=lambda subject: labels(subject).delete()[0],
        ))
