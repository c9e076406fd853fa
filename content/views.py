from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import CharField, Count, Prefetch, Q
from django.db.models.functions import Concat, TruncDate
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseNotAllowed,
    HttpResponseRedirect,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from advocacy.linkedin.models import Connection
from advocacy.tenancy.http import OrgRequest
from advocacy.tenancy.lists import back_to_list, report_errors
from advocacy.tenancy.models import MANAGE_ROLES, Team
from advocacy.tenancy.pagecache import member_page
from advocacy.tenancy.permissions import role_required
from campaigns.models import Campaign

from . import links
from .cards import attach_cards
from .dashboard import dashboard_content
from .forms import (
    BulkActionForm,
    ContentItemForm,
    FeedBulkActionForm,
    FeedFilterForm,
    FeedForm,
    LibraryFilterForm,
    MyPostsBulkForm,
    MyPostsFilterForm,
    PostForm,
    PublishedPostsFilterForm,
    normalized,
)
from .mix import recent_mix
from .models import (
    MAX_COMMENTARY_LENGTH,
    Click,
    ContentItem,
    FeedSource,
    Post,
    PublishAttempt,
    Topic,
)
from .previews import request_item_preview
from .services import (
    FeedBulkAction,
    apply_bulk_action,
    apply_feed_bulk_action,
    archive_content_item,
    bulk_action_summary,
    create_content_item,
    create_feed,
    feed_bulk_action_summary,
    update_content_item,
    update_feed,
)
from .sharing import (
    Intent,
    cancel_post,
    cancel_posts,
    create_post,
    delete_post,
    discard_drafts,
    retry_post,
    update_post,
)

LIBRARY_PAGE_SIZE = 25
FEED_PAGE_SIZE = 25
DASHBOARD_SIZE = 30


@role_required()
@member_page
def dashboard(request: OrgRequest) -> HttpResponse:
    """What every member sees first: live campaigns and content ready to share, for them."""
    organization, membership = request.organization, request.membership
    now = timezone.now()
    content = dashboard_content(membership, now=now, size=DASHBOARD_SIZE)
    attach_cards(request, organization, content.items)
    mine = dict(
        Post.objects.filter(organization=organization, author=membership)
        .exclude(status=Post.Status.DELETED)
        .order_by()
        .values_list("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    return render(
        request,
        "content/dashboard.html",
        {
            "campaigns": content.campaigns,
            "items": content.items,
            "available_count": content.available_count,
            "dashboard_size": DASHBOARD_SIZE,
            "my_counts": mine,
            "mix": recent_mix(membership, now),
            "connection": _connection_of(request),
        },
    )


@role_required(MANAGE_ROLES)
@member_page
def library(request: OrgRequest) -> HttpResponse:
    """The organization's content for comms: search, filters, pages and bulk actions."""
    organization = request.organization
    filters = LibraryFilterForm(request.GET, organization=organization)
    items = (
        filters.apply(ContentItem.objects.filter(organization=organization))
        .with_caption_count()
        .select_related("source_feed")
        .prefetch_related(
            Prefetch(
                "campaigns",
                queryset=Campaign.objects.filter(organization=organization).order_by("name"),
            ),
            Prefetch("topics", queryset=Topic.objects.for_org(organization).order_by("name")),
            Prefetch(
                "audience_teams", queryset=Team.objects.for_org(organization).order_by("name")
            ),
        )
        .order_by("-featured", "-created_at", "-id")
    )
    page = Paginator(items, LIBRARY_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "content/library.html",
        {"filters": filters, "page": page, "bulk_form": BulkActionForm()},
    )


@role_required(MANAGE_ROLES)
def library_bulk(request: OrgRequest) -> HttpResponse:
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    form = BulkActionForm(request.POST)
    if form.is_valid():
        action = form.cleaned_data["action"]
        count = apply_bulk_action(
            organization=request.organization,
            actor=request.user,
            action=action,
            public_ids=form.cleaned_data["items"],
        )
        if count:
            messages.success(request, bulk_action_summary(action, count))
        else:
            messages.info(request, _("Nothing needed changing."))
    else:
        report_errors(request, form)
    return _back_to_library(request)


@role_required(MANAGE_ROLES)
def item_new(request: OrgRequest) -> HttpResponse:
    organization = request.organization
    posted = request.method == "POST"
    form = ContentItemForm(
        request.POST if posted else None,
        request.FILES if posted else None,
        organization=organization,
        initial={"campaigns": _campaign_from_query(request)},
    )
    if form.is_valid():
        item = create_content_item(
            organization=organization,
            actor=request.user,
            details=form.details(),
            campaigns=form.cleaned_data["campaigns"],
            captions=form.captions(),
        )
        messages.success(request, _("“%(title)s” was added.") % {"title": item.title})
        return redirect("content:library", org_slug=organization.slug)
    return render(request, "content/item_form.html", {"form": form, "item": None})


@role_required(MANAGE_ROLES)
def item_edit(request: OrgRequest, item_id: uuid.UUID) -> HttpResponse:
    organization = request.organization
    item = _get_item(request, item_id)
    posted = request.method == "POST"
    form = ContentItemForm(
        request.POST if posted else None,
        request.FILES if posted else None,
        instance=item,
        organization=organization,
    )
    if form.is_valid():
        item = update_content_item(
            organization=organization,
            item=item,
            actor=request.user,
            details=form.details(),
            campaigns=form.cleaned_data["campaigns"],
            captions=form.captions(),
        )
        messages.success(request, _("“%(title)s” was saved.") % {"title": item.title})
        return redirect("content:library", org_slug=organization.slug)
    # A rejected form has applied its input to `item`; the page heading shows what is stored.
    stored = _get_item(request, item_id) if form.is_bound else item
    return render(request, "content/item_form.html", {"form": form, "item": stored})


@role_required(MANAGE_ROLES)
def item_archive(request: OrgRequest, item_id: uuid.UUID) -> HttpResponse:
    # Looked up before the method check, so another organization's id is a 404 either way.
    item = _get_item(request, item_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    archive_content_item(organization=request.organization, item=item, actor=request.user)
    messages.success(
        request, _("“%(title)s” was archived. Employees no longer see it.") % {"title": item.title}
    )
    return redirect("content:library", org_slug=request.organization.slug)


@role_required(MANAGE_ROLES)
def item_preview(request: OrgRequest, item_id: uuid.UUID) -> HttpResponse:
    """Fetch the item's link preview again, replacing one written by hand."""
    # Looked up before the method check, so another organization's id is a 404 either way.
    item = _get_item(request, item_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    queued = request_item_preview(
        organization=request.organization, item=item, force=True, actor=request.user
    )
    if queued:
        messages.success(
            request,
            _("The preview of “%(title)s” is being fetched again; reload the page in a moment.")
            % {"title": item.title},
        )
    else:
        messages.info(
            request, _("“%(title)s” has no link, so it has no preview.") % {"title": item.title}
        )
    return redirect("content:item_edit", org_slug=request.organization.slug, item_id=item.public_id)


def _get_item(request: OrgRequest, item_id: uuid.UUID) -> ContentItem:
    return get_object_or_404(
        ContentItem.objects.filter(organization=request.organization), public_id=item_id
    )


def _campaign_from_query(request: OrgRequest) -> list[uuid.UUID]:
    """`?campaign=<id>` from a campaign's page pre-selects it, if it is this organization's."""
    try:
        public_id = uuid.UUID(request.GET.get("campaign", ""))
    except ValueError:
        return []
    return list(
        Campaign.objects.filter(organization=request.organization, public_id=public_id).values_list(
            "public_id", flat=True
        )
    )


def _back_to_library(request: OrgRequest) -> HttpResponse:
    return back_to_list(request, "content:library", org_slug=request.organization.slug)


# Feeds -----------------------------------------------------------------------------------


@role_required(MANAGE_ROLES)
def feed_list(request: OrgRequest) -> HttpResponse:
    """The organization's feeds: when each was checked, its problem, and the drafts it made."""
    filters = FeedFilterForm(request.GET)
    feeds = (
        filters.apply(FeedSource.objects.for_org(request.organization))
        .annotate(
            item_count=Count("items"),
            draft_count=Count("items", filter=Q(items__status=ContentItem.Status.DRAFT)),
        )
        .order_by("name", "id")
    )
    page = Paginator(feeds, FEED_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "content/feed_list.html",
        {"filters": filters, "page": page, "bulk_form": FeedBulkActionForm()},
    )


@role_required(MANAGE_ROLES)
def feed_new(request: OrgRequest) -> HttpResponse:
    organization = request.organization
    form = FeedForm(request.POST if request.method == "POST" else None, organization=organization)
    if form.is_valid():
        try:
            feed = create_feed(
                organization=organization, actor=request.user, details=form.details()
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            if feed.is_active:
                text = _("“%(name)s” was added. Its entries appear as drafts in the library.")
            else:
                text = _("“%(name)s” was added, paused.")
            messages.success(request, text % {"name": feed.name})
            return redirect("content:feed_list", org_slug=organization.slug)
    return render(request, "content/feed_form.html", {"form": form, "feed": None})


@role_required(MANAGE_ROLES)
def feed_edit(request: OrgRequest, feed_id: uuid.UUID) -> HttpResponse:
    organization = request.organization
    feed = _get_feed(request, feed_id)
    form = FeedForm(
        request.POST if request.method == "POST" else None,
        instance=feed,
        organization=organization,
    )
    if form.is_valid():
        try:
            feed = update_feed(
                organization=organization, feed=feed, actor=request.user, details=form.details()
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("“%(name)s” was saved.") % {"name": feed.name})
            return redirect("content:feed_list", org_slug=organization.slug)
    # A rejected form has applied its input to `feed`; the page shows what is stored.
    stored = _get_feed(request, feed_id) if form.is_bound else feed
    return render(request, "content/feed_form.html", {"form": form, "feed": stored})


@role_required(MANAGE_ROLES)
def feed_poll(request: OrgRequest, feed_id: uuid.UUID) -> HttpResponse:
    # Looked up before the method check, so another organization's id is a 404 either way.
    feed = _get_feed(request, feed_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    if not feed.is_active:
        messages.info(
            request, _("“%(name)s” is paused. Resume it to check it.") % {"name": feed.name}
        )
    else:
        apply_feed_bulk_action(
            organization=request.organization,
            actor=request.user,
            action=FeedBulkAction.POLL,
            public_ids=[feed.public_id],
        )
        messages.success(
            request,
            _("Checking “%(name)s”. New entries appear as drafts in the library.")
            % {"name": feed.name},
        )
    return _back_to_feeds(request)


@role_required(MANAGE_ROLES)
def feed_bulk(request: OrgRequest) -> HttpResponse:
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    form = FeedBulkActionForm(request.POST)
    if form.is_valid():
        action = form.cleaned_data["action"]
        count = apply_feed_bulk_action(
            organization=request.organization,
            actor=request.user,
            action=action,
            public_ids=form.cleaned_data["feeds"],
        )
        if count:
            messages.success(request, feed_bulk_action_summary(action, count))
        elif action == FeedBulkAction.POLL:
            messages.info(request, _("Paused feeds are not checked. Resume them first."))
        else:
            messages.info(request, _("Nothing needed changing."))
    else:
        report_errors(request, form)
    return _back_to_feeds(request)


def _get_feed(request: OrgRequest, feed_id: uuid.UUID) -> FeedSource:
    return get_object_or_404(
        FeedSource.objects.filter(organization=request.organization), public_id=feed_id
    )


def _back_to_feeds(request: OrgRequest) -> HttpResponse:
    return back_to_list(request, "content:feed_list", org_slug=request.organization.slug)


# Sharing and employees' posts ----------------------------------------------------------------

MY_POSTS_PAGE_SIZE = 20
PUBLISHED_PAGE_SIZE = 25


def _connection_of(request: OrgRequest) -> Connection | None:
    return Connection.objects.filter(user=request.user).first()


def _own_post(request: OrgRequest, post_id: uuid.UUID) -> Post:
    """One of the member's own posts; anyone else's is a 404, like a missing one."""
    return get_object_or_404(
        Post.objects.filter(
            organization=request.organization, author=request.membership
        ).select_related("content_item", "campaign", "tracked_link", "caption"),
        public_id=post_id,
    )


def _colleague_texts(request: OrgRequest, item: ContentItem | None) -> frozenset[str]:
    if item is None:
        return frozenset()
    texts = (
        Post.objects.filter(organization=request.organization, content_item=item)
        .exclude(author=request.membership)
        .exclude(status__in=[Post.Status.DRAFT, Post.Status.DELETED])
        .values_list("text", flat=True)
    )
    return frozenset(normalized(text) for text in texts)


def _composer(
    request: OrgRequest,
    *,
    item: ContentItem | None,
    post: Post | None,
    initial: dict[str, Any],
) -> HttpResponse:
    """Show or handle the composer, for a new share, a new own post, or an edit."""
    organization, membership = request.organization, request.membership
    own_post = item is None
    form = PostForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        initial=initial,
        own_post=own_post,
        colleague_texts=_colleague_texts(request, item),
    )
    captions = list(item.captions.all()) if item is not None else []
    if form.is_valid():
        data = form.cleaned_data
        intent = data["action"]
        try:
            if post is None:
                caption = next((c for c in captions if c.public_id == data.get("caption")), None)
                post = create_post(
                    organization=organization,
                    author=membership,
                    draft=form.draft(),
                    intent=intent,
                    scheduled_for=data.get("scheduled_for"),
                    content_item=item,
                    caption=caption,
                    form_key=data.get("form_key"),
                )
            else:
                post = update_post(
                    post=post,
                    actor=membership,
                    draft=form.draft(),
                    intent=intent,
                    scheduled_for=data.get("scheduled_for"),
                )
        except ValidationError as problem:
            if hasattr(problem, "error_dict"):
                for field, errors in problem.error_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                form.add_error(None, problem)
        else:
            messages.success(request, _composed_message(post, _connection_of(request)))
            return redirect(
                "content:post_detail", org_slug=organization.slug, post_id=post.public_id
            )
    now = timezone.now()
    exclude = post.pk if post is not None else None
    mix = recent_mix(membership, now, exclude_post_id=exclude)
    company = item.is_company_content if item else bool(form["is_company_content"].value())
    text_length = len(form["text"].value() or "")
    return render(
        request,
        "content/composer.html",
        {
            "form": form,
            "item": item,
            "post": post,
            "captions": captions,
            "mix": mix,
            "mix_after": mix.with_one_more(company=company),
            "limit": MAX_COMMENTARY_LENGTH,
            "text_count": _character_count(text_length),
            "text_over_limit": text_length > MAX_COMMENTARY_LENGTH,
            "connection": _connection_of(request),
        },
    )


def _character_count(length: int) -> str:
    """The composer's count as the server renders it; composer.js updates it as one types."""
    values = {
        "count": number_format(length, force_grouping=True),
        "limit": number_format(MAX_COMMENTARY_LENGTH, force_grouping=True),
        "over": number_format(max(0, length - MAX_COMMENTARY_LENGTH), force_grouping=True),
    }
    if length > MAX_COMMENTARY_LENGTH:
        return _("%(count)s characters: %(over)s over LinkedIn's limit of %(limit)s") % values
    return _("%(count)s of %(limit)s characters") % values


def _composed_message(post: Post, connection: Connection | None) -> str:
    if post.status == Post.Status.DRAFT:
        return _("Saved as a draft. Only you can see it.")
    if post.scheduled_for and post.scheduled_for > timezone.now() + timedelta(minutes=1):
        when = date_format(timezone.localtime(post.scheduled_for), "DATETIME_FORMAT")
        if connection is None or connection.needs_reconnect:
            return _(
                "Scheduled for %(when)s. Connect your LinkedIn account before then, or it "
                "waits until you do."
            ) % {"when": when}
        return _("Scheduled. It goes out on %(when)s.") % {"when": when}
    if connection is None or connection.needs_reconnect:
        return _(
            "Saved. It goes out as soon as your LinkedIn account is connected: connect it on "
            "your profile page."
        )
    return _("On its way to LinkedIn. This page shows when it is out.")


@role_required()
def share_item(request: OrgRequest, item_id: uuid.UUID) -> HttpResponse:
    """Make a library item one's own: pick a caption, change it into one's own words, share."""
    item = get_object_or_404(
        ContentItem.objects.filter(organization=request.organization)
        .available(timezone.now())
        .for_member(request.membership)
        .prefetch_related("captions"),
        public_id=item_id,
    )
    initial: dict[str, Any] = {"form_key": uuid.uuid4()}
    chosen = request.GET.get("caption", "")
    caption = next((c for c in item.captions.all() if str(c.public_id) == chosen), None)
    if caption is not None:
        initial.update(caption=caption.public_id, text=caption.text)
    return _composer(request, item=item, post=None, initial=initial)


@role_required()
def post_new(request: OrgRequest) -> HttpResponse:
    """Write an own post: text, optionally a link or an image."""
    return _composer(request, item=None, post=None, initial={"form_key": uuid.uuid4()})


@role_required()
def post_edit(request: OrgRequest, post_id: uuid.UUID) -> HttpResponse:
    post = _own_post(request, post_id)
    if not post.is_editable:
        messages.info(request, _("This post is out or on its way, so it can no longer change."))
        return redirect(
            "content:post_detail", org_slug=request.organization.slug, post_id=post.public_id
        )
    initial = {
        "text": post.text,
        "link_url": post.link_url if post.content_item_id is None else "",
        "link_title": post.link_title,
        "link_description": post.link_description,
        "image": post.image or None,
        "image_alt_text": post.image_alt_text,
        "is_company_content": post.is_company_content,
        "visibility": post.visibility,
        "scheduled_for": post.scheduled_for,
        "action": Intent.SCHEDULE if post.status == Post.Status.SCHEDULED else Intent.DRAFT,
    }
    return _composer(request, item=post.content_item, post=post, initial=initial)


@role_required()
def post_detail(request: OrgRequest, post_id: uuid.UUID) -> HttpResponse:
    post = _own_post(request, post_id)
    clicks = Click.objects.filter(organization=request.organization, post=post).aggregate(
        clicks=Count("pk", filter=Q(is_bot=False)),
        visitors=Count(
            Concat("visitor_hash", TruncDate("clicked_at"), output_field=CharField()),
            filter=Q(is_bot=False),
            distinct=True,
        ),
    )
    attempts = PublishAttempt.objects.filter(organization=request.organization, post=post)
    return render(
        request,
        "content/post_detail.html",
        {
            "post": post,
            "clicks": clicks,
            "attempts": attempts,
            "short_url": links.short_url(post.tracked_link.code)
            if getattr(post, "tracked_link", None)
            else "",
            "connection": _connection_of(request),
        },
    )


def _post_action(request: OrgRequest, post_id: uuid.UUID) -> tuple[Post | None, HttpResponse]:
    post = _own_post(request, post_id)
    back = redirect(
        "content:post_detail", org_slug=request.organization.slug, post_id=post.public_id
    )
    if request.method != "POST":
        return None, HttpResponseNotAllowed(["POST"])
    return post, back


@role_required()
def post_cancel(request: OrgRequest, post_id: uuid.UUID) -> HttpResponse:
    post, response = _post_action(request, post_id)
    if post is not None:
        if cancel_post(post=post, actor=request.membership):
            messages.success(request, _("Not going out: it is back among your drafts."))
        else:
            messages.error(request, _("Too late: it is being published already."))
    return response


@role_required()
def post_retry(request: OrgRequest, post_id: uuid.UUID) -> HttpResponse:
    post, response = _post_action(request, post_id)
    if post is not None:
        if retry_post(post=post, actor=request.membership):
            messages.success(request, _("Trying again now."))
        else:
            messages.info(request, _("Only a failed post can be tried again."))
    return response


@role_required()
def post_delete(request: OrgRequest, post_id: uuid.UUID) -> HttpResponse:
    post, response = _post_action(request, post_id)
    if post is None:
        return response
    outcome = delete_post(post=post, actor=request.membership)
    if outcome == "refused":
        messages.error(request, _("It is being published right now; try again in a minute."))
        return response
    if outcome == "discarded":
        messages.success(request, _("Discarded."))
    else:
        messages.success(request, _("Deleted here; it is being deleted on LinkedIn too."))
    return redirect("content:my_posts", org_slug=request.organization.slug)


@role_required()
@member_page
def my_posts(request: OrgRequest) -> HttpResponse:
    """Every post of the member's with its status, its link on LinkedIn and its figures."""
    organization = request.organization
    filters = MyPostsFilterForm(request.GET)
    posts = (
        filters.apply(Post.objects.filter(organization=organization, author=request.membership))
        .select_related("content_item", "campaign")
        .with_click_counts()
        .order_by("-created_at", "-id")
    )
    page = Paginator(posts, MY_POSTS_PAGE_SIZE).get_page(request.GET.get("page"))
    counts = dict(
        Post.objects.filter(organization=organization, author=request.membership)
        .order_by()
        .values_list("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    status_counts = [
        (status, label, counts[status])
        for status, label in Post.Status.choices
        if counts.get(status)
    ]
    return render(
        request,
        "content/my_posts.html",
        {
            "filters": filters,
            "page": page,
            "status_counts": status_counts,
            "bulk_form": MyPostsBulkForm(),
            "connection": _connection_of(request),
        },
    )


@role_required()
def my_posts_bulk(request: OrgRequest) -> HttpResponse:
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    form = MyPostsBulkForm(request.POST)
    if not form.is_valid():
        report_errors(request, form)
        return redirect("content:my_posts", org_slug=request.organization.slug)
    action = form.cleaned_data["action"]
    chosen = form.cleaned_data["posts"]
    if action == "cancel":
        done = cancel_posts(actor=request.membership, public_ids=chosen)
    else:
        done = discard_drafts(actor=request.membership, public_ids=chosen)
    if done:
        messages.success(
            request,
            ngettext("%(count)d post changed.", "%(count)d posts changed.", done) % {"count": done},
        )
    else:
        messages.info(request, _("Nothing needed changing."))
    return redirect("content:my_posts", org_slug=request.organization.slug)


@role_required(MANAGE_ROLES)
def published_posts(request: OrgRequest) -> HttpResponse:
    """What employees published, for comms to follow (never to change: only authors can)."""
    organization = request.organization
    filters = PublishedPostsFilterForm(request.GET, organization=organization)
    posts = (
        filters.apply(Post.objects.filter(organization=organization).published())
        .select_related("author__user", "author__team", "content_item", "campaign")
        .with_click_counts()
        .order_by("-published_at", "-id")
    )
    page = Paginator(posts, PUBLISHED_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "content/published_posts.html", {"filters": filters, "page": page})


def follow_link(request: HttpRequest, code: str) -> HttpResponse:
    """A tracked short link: the click recorded, then the 302."""
    destination = links.follow(code, request)
    if destination is None:
        raise Http404
    response = HttpResponseRedirect(destination)
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex"
    return response
