from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("content", "0003_posts_feeds_previews_links"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="contentitem",
            index=models.Index(
                fields=["organization", "-featured", "-created_at", "-id"],
                name="contentitem_org_library",
            ),
        ),
    ]
