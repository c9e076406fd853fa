"""The method (PRODUCT.md): how a program is run, from kick-off to results.

A charter states the purpose, leadership's WHY, guidelines, the agreed agenda and a roadmap;
goals tie it to the figures of docs/metrics.md. Participants co-create the agenda, answer a
kick-off survey (shown only in aggregate), pair up as buddies who read each other's drafts,
receive private coaching, check in at follow-up rounds, learn in courses, and may opt in to
a leaderboard. Nothing here ever changes a post's text: only its author does.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from advocacy.tenancy.models import Membership, TenantModel
from content.models import Post, Topic


class Charter(TenantModel):
    """The program's charter: one per organization, every change kept (CharterVersion)."""

    class Purpose(models.TextChoices):
        RECRUITMENT = "recruitment", _("Recruitment")
        BRAND = "brand", _("Brand value")
        SALES = "sales", _("Sales")
        OTHER = "other", _("Other")

    purpose = models.CharField(
        _("purpose"), max_length=20, choices=Purpose.choices, default=Purpose.BRAND
    )
    purpose_why = models.TextField(
        _("why this purpose"),
        blank=True,
        help_text=_("A sentence on why: without a purpose nobody can guide the employees."),
    )
    why_statement = models.TextField(
        _("leadership's WHY"),
        blank=True,
        help_text=_(
            "In a leader's own words: why sharing is welcome here, and why the company does "
            "what it does. Every participant sees it on their dashboard."
        ),
    )
    why_by = models.ForeignKey(
        Membership,
        verbose_name=_("said by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    tone = models.TextField(_("tone"), blank=True)
    dos = models.TextField(_("do's"), blank=True)
    donts = models.TextField(_("don'ts"), blank=True)
    never_share = models.TextField(
        _("never share"),
        blank=True,
        help_text=_("Confidential matters, clients' names without their consent, ..."),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("charter")
        constraints = [
            models.UniqueConstraint(fields=["organization", "id"], name="charter_org_id"),
            models.UniqueConstraint(fields=["organization"], name="charter_one_per_org"),
        ]

    def __str__(self) -> str:
        return f"Charter of {self.organization_id}"


class CharterVersion(TenantModel):
    """One change of the charter (or of its targets, agenda and roadmap): who, when, what."""

    number = models.PositiveIntegerField()
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    changed_at = models.DateTimeField(auto_now_add=True)
    summary = models.CharField(max_length=300)
    # {field: [before, after]}
    changes = models.JSONField(default=dict)

    class Meta:
        ordering = ["-number"]
        verbose_name = _("charter version")
        constraints = [
            models.UniqueConstraint(fields=["organization", "number"], name="charterversion_number")
        ]

    def __str__(self) -> str:
        return f"v{self.number}"


class AgendaTopic(TenantModel):
    """A topic the program agreed to post about."""

    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="+")
    position = models.PositiveIntegerField(default=0)
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("agenda topic")
        constraints = [
            models.UniqueConstraint(fields=["organization", "topic"], name="agendatopic_unique")
        ]

    def __str__(self) -> str:
        return str(self.topic_id)


class Milestone(TenantModel):
    """A dated step of the roadmap, with its owner and status."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        IN_PROGRESS = "in_progress", _("In progress")
        DONE = "done", _("Done")
        DROPPED = "dropped", _("Dropped")

    title = models.CharField(_("milestone"), max_length=200)
    due_on = models.DateField(_("due"))
    owner = models.ForeignKey(
        Membership,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PLANNED
    )
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        ordering = ["due_on", "id"]
        verbose_name = _("milestone")
        indexes = [models.Index(fields=["organization", "due_on"], name="milestone_org_due")]

    def __str__(self) -> str:
        return self.title


class TopicProposal(TenantModel):
    """A participant's proposal for the agenda, voted on at kick-off."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open for votes")
        PROMOTED = "promoted", _("On the agenda")
        DECLINED = "declined", _("Not taken up")

    name = models.CharField(_("topic"), max_length=80)
    description = models.TextField(_("why it matters"), blank=True)
    proposed_by = models.ForeignKey(
        Membership, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.OPEN)
    topic = models.ForeignKey(
        Topic, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("topic proposal")
        constraints = [
            models.UniqueConstraint(fields=["organization", "id"], name="topicproposal_org_id"),
            models.UniqueConstraint(
                "organization",
                Lower("name"),
                condition=models.Q(status="open"),
                name="topicproposal_one_open_per_name",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class TopicVote(TenantModel):
    proposal = models.ForeignKey(TopicProposal, on_delete=models.CASCADE, related_name="votes")
    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("topic vote")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "proposal", "membership"], name="topicvote_once"
            )
        ]


class SurveyResponse(TenantModel):
    """A participant's kick-off survey. Shown to comms and the facilitator only in aggregate."""

    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="+")
    comfort = models.PositiveSmallIntegerField(
        _("how comfortable are you sharing work content?"),
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    worries = models.TextField(_("what worries you about it?"), blank=True)
    preferred_topics = models.TextField(_("what would you like to post about?"), blank=True)
    minutes_per_week = models.PositiveSmallIntegerField(
        _("minutes a week you could give it"), validators=[MaxValueValidator(600)]
    )
    submitted_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("kick-off survey answer")
        constraints = [
            models.UniqueConstraint(fields=["organization", "membership"], name="survey_once"),
            models.CheckConstraint(
                condition=models.Q(comfort__gte=1, comfort__lte=5), name="survey_comfort_1_5"
            ),
        ]


class Goal(TenantModel):
    """A measurable goal on a figure of docs/metrics.md, from a start day to a deadline."""

    class Metric(models.TextChoices):
        COMPANY_FOLLOWER_GROWTH = "company_follower_growth_pct", _("Company follower growth (%)")
        EMPLOYEE_FOLLOWER_GROWTH = (
            "employee_follower_growth_pct_avg",
            _("Average employee follower growth (%)"),
        )
        POSTS_PER_WEEK = "posts_per_week", _("Posts per participant per week")
        PARTICIPATION = "participation_pct", _("Participation (%)")
        NEW_FOLLOWERS_PER_POST = "new_followers_per_post", _("New followers per post")
        IMPRESSIONS = "impressions", _("Impressions")
        CLICKS = "clicks", _("Link clicks")

    title = models.CharField(_("goal"), max_length=200)
    metric = models.CharField(_("measured by"), max_length=40, choices=Metric.choices)
    target = models.DecimalField(_("target"), max_digits=12, decimal_places=1)
    starts_on = models.DateField(_("from"))
    deadline = models.DateField(_("by"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["deadline", "id"]
        verbose_name = _("goal")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(deadline__gt=models.F("starts_on")), name="goal_deadline_after"
            )
        ]

    def __str__(self) -> str:
        return self.title


class BuddyPair(TenantModel):
    """Two participants who read each other's drafts and keep each other going."""

    class Status(models.TextChoices):
        INVITED = "invited", _("Invited")
        ACTIVE = "active", _("Buddies")
        ENDED = "ended", _("Ended")

    first = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="+")
    second = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.INVITED)
    # Whoever paired them: comms or the facilitator, or `first` inviting `second`.
    paired_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    last_prompted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("buddy pair")
        constraints = [
            models.UniqueConstraint(fields=["organization", "id"], name="buddypair_org_id"),
            models.CheckConstraint(
                condition=~models.Q(first=models.F("second")), name="buddypair_not_oneself"
            ),
        ]
        indexes = [
            models.Index(fields=["organization", "status"], name="buddypair_org_status"),
        ]

    def __str__(self) -> str:
        return f"{self.first_id} + {self.second_id}"

    def other(self, membership: Membership) -> int:
        return self.second_id if self.first_id == membership.pk else self.first_id


class ReadRequest(TenantModel):
    """A draft the author shared for a read: with their buddy, comms or the facilitator."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="+")
    reader = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="+")
    message = models.TextField(_("a note for the reader"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("read request")
        constraints = [
            models.UniqueConstraint(fields=["organization", "id"], name="readrequest_org_id"),
            models.UniqueConstraint(
                fields=["organization", "post", "reader"], name="readrequest_once"
            ),
        ]


class Feedback(TenantModel):
    """A private comment or suggestion to a post's author (never a change to the text)."""

    class Kind(models.TextChoices):
        COMMENT = "comment", _("Comment")
        SUGGESTION = "suggestion", _("Suggestion")
        COACHING = "coaching", _("Coaching")

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="+")
    author = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.COMMENT)
    body = models.TextField(_("your comment"), max_length=3000)
    created_at = models.DateTimeField(auto_now_add=True)
    seen_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("feedback")
        indexes = [models.Index(fields=["organization", "post"], name="feedback_org_post")]


class BrandRiskFlag(TenantModel):
    """The one exception the method allows: a published post that risks real brand damage.
    It asks the author to edit or delete the post; nobody else does either."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        RESOLVED = "resolved", _("Resolved by the author")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="+")
    raised_by = models.ForeignKey(
        Membership, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.TextField(_("what is the risk?"))
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolution = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("brand-risk flag")
        constraints = [
            models.UniqueConstraint(fields=["organization", "id"], name="brandriskflag_org_id"),
        ]
        indexes = [models.Index(fields=["organization", "status"], name="brandrisk_org_status")]


class FollowUpRound(TenantModel):
    """A follow-up round: participants check in, comms or the facilitator take notes."""

    title = models.CharField(_("round"), max_length=200)
    opens_on = models.DateField(_("opens"))
    closes_on = models.DateField(_("closes"))
    notes = models.TextField(_("notes"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-opens_on", "id"]
        verbose_name = _("follow-up round")
        constraints = [
            models.UniqueConstraint(fields=["organization", "id"], name="followupround_org_id"),
            models.UniqueConstraint(
                fields=["organization", "opens_on"], name="followupround_one_per_day"
            ),
            models.CheckConstraint(
                condition=models.Q(closes_on__gte=models.F("opens_on")),
                name="followupround_closes_after",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class CheckIn(TenantModel):
    round = models.ForeignKey(FollowUpRound, on_delete=models.CASCADE, related_name="checkins")
    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="+")
    went_well = models.TextField(_("what went well?"), blank=True)
    held_back = models.TextField(_("what held you back?"), blank=True)
    help_wanted = models.TextField(_("what help would you like?"), blank=True)
    submitted_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("check-in")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "round", "membership"], name="checkin_once"
            )
        ]


class NotificationSettings(TenantModel):
    """A member's mail choices in one organization; the unsubscribe links point here."""

    membership = models.OneToOneField(
        Membership, on_delete=models.CASCADE, related_name="notification_settings"
    )
    weekly_digest = models.BooleanField(
        _("a weekly digest of new content and my results"), default=True
    )
    cadence_reminders = models.BooleanField(
        _("a gentle reminder when I post less than the program's rhythm"), default=True
    )
    reconnect_reminders = models.BooleanField(
        _("a reminder when my LinkedIn connection needs renewing"), default=True
    )
    buddy_prompts = models.BooleanField(_("the fortnightly buddy check-in"), default=True)

    class Meta:
        verbose_name = _("mail choices")


class SentMessage(TenantModel):
    """A nudge or digest sent, once per member, kind and period (claimed before sending)."""

    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=40)
    period = models.CharField(max_length=20)  # e.g. 2026-W48
    sent_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("sent message")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "membership", "kind", "period"], name="sentmessage_once"
            )
        ]


class Course(TenantModel):
    """A course of the program's "social media university"."""

    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(_("summary"), blank=True)
    is_basics = models.BooleanField(
        _("the basics"),
        default=False,
        help_text=_("Completing the basics earns the “ready to share” badge."),
    )
    is_published = models.BooleanField(_("published"), default=False)
    pass_mark = models.PositiveSmallIntegerField(
        _("quiz pass mark (%)"), default=80, validators=[MaxValueValidator(100)]
    )
    position = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("course")
        constraints = [
            models.UniqueConstraint(fields=["organization", "id"], name="course_org_id"),
        ]

    def __str__(self) -> str:
        return self.title


class Lesson(TenantModel):
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="lessons")
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"))
    video_url = models.URLField(_("video link"), blank=True)
    # One item per line.
    checklist = models.TextField(_("checklist"), blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("lesson")
        constraints = [
            models.UniqueConstraint(fields=["organization", "id"], name="lesson_org_id"),
        ]

    def __str__(self) -> str:
        return self.title


class QuizQuestion(TenantModel):
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="questions")
    text = models.CharField(_("question"), max_length=300)
    # ["choice", ...]; `answer` is the index of the right one.
    choices = models.JSONField(default=list)
    answer = models.PositiveSmallIntegerField()
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("quiz question")
        constraints = [
            models.UniqueConstraint(fields=["organization", "id"], name="quizquestion_org_id"),
        ]


class LessonCompletion(TenantModel):
    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="+")
    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="+")
    completed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("lesson completion")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "lesson", "membership"], name="lessoncompletion_once"
            )
        ]


class CourseCompletion(TenantModel):
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="+")
    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="+")
    score_pct = models.PositiveSmallIntegerField()
    completed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("course completion")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "course", "membership"], name="coursecompletion_once"
            )
        ]


class Season(TenantModel):
    """A leaderboard season: points count from its start to its end, then start afresh."""

    name = models.CharField(_("season"), max_length=100)
    starts_on = models.DateField(_("starts"))
    ends_on = models.DateField(_("ends"))

    class Meta:
        ordering = ["-starts_on"]
        verbose_name = _("leaderboard season")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gt=models.F("starts_on")), name="season_ends_after"
            ),
            models.UniqueConstraint(fields=["organization", "starts_on"], name="season_start"),
        ]

    def __str__(self) -> str:
        return self.name
