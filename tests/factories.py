"""Factories for the newsroom's models (factory_boy)."""

from __future__ import annotations

from datetime import timedelta

import factory
from django.apps import apps as django_apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from liveblog.models import Label, LiveBlog, Post, PostContributor
from newsroom.staff.models import Reporter
from newsroom.staff.roles import EDITOR, REPORTER, sync_role_groups
from results.models import Candidate, Race

PASSWORD = "correct horse battery staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    is_staff = True
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def role(self, create: bool, extracted: str | None, **kwargs: object) -> None:
        self.save()
        if extracted:
            if not Group.objects.filter(name=extracted).exists():
                # A transactional test flushed the tables the data migration filled.
                sync_role_groups(django_apps)
            self.groups.add(Group.objects.get(name=extracted))
            ReporterFactory(user=self, display_name=self.username.title())


class ReporterFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Reporter

    display_name = factory.Sequence(lambda n: f"Reporter {n}")
    default_location = "Reporting from Washington DC"


def editor(**kwargs: object) -> object:
    return UserFactory(role=EDITOR, **kwargs)


def reporter(**kwargs: object) -> object:
    return UserFactory(role=REPORTER, **kwargs)


class LiveBlogFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LiveBlog
        django_get_or_create = ["slug"]

    title = factory.Sequence(lambda n: f"Live blog {n}")
    slug = factory.Sequence(lambda n: f"live-blog-{n}")
    status = LiveBlog.Status.LIVE
    coverage_start = factory.LazyFunction(lambda: timezone.now() - timedelta(hours=2))


class LabelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Label
        django_get_or_create = ["slug"]

    name = "Analysis"
    slug = "analysis"


class PostFactory(factory.django.DjangoModelFactory):
    """A post in any state; ``PostFactory(published=True)`` is live on the page now."""

    class Meta:
        model = Post

    class Params:
        published = factory.Trait(
            status=Post.Status.PUBLISHED,
            published_at=factory.LazyFunction(lambda: timezone.now() - timedelta(minutes=5)),
        )

    blog = factory.SubFactory(LiveBlogFactory)
    title = factory.Sequence(lambda n: f"Post {n}")
    body = "<p>Something happened.</p>"
    author = factory.SubFactory(UserFactory)


class PostContributorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PostContributor

    post = factory.SubFactory(PostFactory)
    reporter = factory.SubFactory(ReporterFactory)
    byline = "Reporting from Howard University"


class RaceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Race

    name = "US presidential election"
    slug = factory.Sequence(lambda n: f"race-{n}")
    office = "President"
    threshold = 270
    units_total = 51


class CandidateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Candidate

    race = factory.SubFactory(RaceFactory)
    name = factory.Sequence(lambda n: f"Candidate {n}")
    party = "Independent"
    colour = "#336699"
