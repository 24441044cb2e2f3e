"""The rule engine's decision is stored once, inside ``law_record`` (read it as ``case.legal``).

Every case decided since 0002 already holds the same decision in both places. A row whose
``law_record`` lacks it (decided before 0002) gets it copied in first, with its rule-set
version, so no stored decision is lost; the record keeps the version that produced it and
still replays under that rule set (lawdesk.law.archive, decision record 0011).
"""

from django.db import migrations


def _into_law_record(apps, schema_editor):
    Case = apps.get_model("cases", "Case")
    for case in Case.objects.only("pk", "decision", "law_record", "ruleset_version").iterator():
        record = dict(case.law_record or {})
        if record.get("decision") or not case.decision:
            continue
        record["decision"] = case.decision
        record.setdefault("ruleset_version", case.decision.get("ruleset_version")
                          or case.ruleset_version)
        Case.objects.filter(pk=case.pk).update(law_record=record)


def _back_out(apps, schema_editor):
    Case = apps.get_model("cases", "Case")
    for case in Case.objects.only("pk", "law_record").iterator():
        decision = (case.law_record or {}).get("decision")
        if decision:
            Case.objects.filter(pk=case.pk).update(decision=decision)


class Migration(migrations.Migration):

    dependencies = [
        ("cases", "0006_message_thread"),
    ]

    operations = [
        migrations.RunPython(_into_law_record, _back_out),
        migrations.RemoveField(model_name="case", name="decision"),
    ]
