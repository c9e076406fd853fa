"""Training, the program's "social media university" (PRODUCT.md: Dell trained more than
16,000 employees this way).

Comms, admins and the facilitator author courses: lessons (text, an optional video link, a
checklist) and a short quiz. A member reads the lessons of a published course, ticks each one
done, and takes the quiz once every lesson is done; a score at or above the pass mark
completes the course. The score is computed here, never taken from the form. A member may
retake a quiz: a completed course stays completed and keeps the best score. A course without
questions completes when its last lesson is ticked.

Completing a basics course earns the "ready to share" badge. Every write about a member's own
progress names that member and nobody else: views pass `request.membership`, and no form
field can change whose progress is written.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, fields
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import Count, Exists, OuterRef, Q, Value
from django.db.models.functions import Greatest
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from advocacy.tenancy.models import Membership, Organization
from advocacy.tenancy.services import record_audit_entry

from .models import Course, CourseCompletion, Lesson, LessonCompletion, QuizQuestion

if TYPE_CHECKING:
    from advocacy.accounts.models import User

MIN_CHOICES = 2
MAX_CHOICES = 6
VIDEO_SCHEMES = frozenset({"http", "https"})

Ordered = TypeVar("Ordered", Course, Lesson, QuizQuestion)


class Direction(models.TextChoices):
    UP = "up", _("Move up")
    DOWN = "down", _("Move down")


class TrainingRefused(Exception):
    """A member's step that cannot be taken (the message says why); nothing was written."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class CourseDetails:
    title: str
    summary: str
    is_basics: bool
    is_published: bool
    pass_mark: int

    @classmethod
    def field_names(cls) -> list[str]:
        return [field.name for field in fields(cls)]


@dataclass(frozen=True)
class LessonDetails:
    title: str
    body: str
    video_url: str
    checklist: str

    @classmethod
    def field_names(cls) -> list[str]:
        return [field.name for field in fields(cls)]


@dataclass(frozen=True)
class QuestionDetails:
    text: str
    choices: Sequence[str]
    # The index of the right choice within `choices`.
    answer: int


@dataclass(frozen=True)
class QuizResult:
    correct: int
    total: int
    score_pct: int
    pass_mark: int
    passed: bool
    newly_completed: bool
    # The course's stored score after this attempt (the best one), if it is completed.
    best_score_pct: int | None


@dataclass(frozen=True)
class CourseProgress:
    lessons: int
    lessons_done: int
    questions: int
    completion: CourseCompletion | None

    @property
    def completed(self) -> bool:
        return self.completion is not None

    @property
    def lessons_left(self) -> int:
        return max(self.lessons - self.lessons_done, 0)

    @property
    def started(self) -> bool:
        return self.lessons_done > 0 or self.completed


# Checks shared by forms and services --------------------------------------------------------


def check_video_url(url: str) -> None:
    """A lesson's video link is a web address: http or https, nothing a browser would run."""
    if url and urlsplit(url).scheme.lower() not in VIDEO_SCHEMES:
        raise ValidationError(
            {"video_url": gettext("Use an http:// or https:// address for the video.")}
        )


def checklist_items(checklist: str) -> list[str]:
    """A lesson's checklist, one item per non-empty line."""
    return [line.strip() for line in checklist.splitlines() if line.strip()]


def check_question(details: QuestionDetails) -> None:
    choices = [choice.strip() for choice in details.choices]
    if not MIN_CHOICES <= len(choices) <= MAX_CHOICES or not all(choices):
        raise ValidationError(
            gettext("Give between %(min)d and %(max)d answers to choose from.")
            % {"min": MIN_CHOICES, "max": MAX_CHOICES}
        )
    if len({choice.casefold() for choice in choices}) != len(choices):
        raise ValidationError(gettext("Two answers read the same."))
    if not 0 <= details.answer < len(choices):
        raise ValidationError({"answer": gettext("Choose which of the answers is right.")})


def _check_course(details: CourseDetails) -> None:
    if not 0 <= details.pass_mark <= 100:
        raise ValidationError({"pass_mark": gettext("A pass mark is between 0 and 100 %.")})


# Authoring (comms, admins, the facilitator) ------------------------------------------------


def _next_position(queryset: models.QuerySet[Any]) -> int:
    last = queryset.aggregate(last=models.Max("position"))["last"]
    return 0 if last is None else last + 1


def create_course(
    *, organization: Organization, actor: User | None, details: CourseDetails
) -> Course:
    """Add a course, placed after the others."""
    _check_course(details)
    with transaction.atomic():
        course = Course.objects.for_org(organization).create(
            organization=organization,
            created_by=actor,
            position=_next_position(Course.objects.for_org(organization)),
            **asdict(details),
        )
        record_audit_entry(
            organization=organization,
            actor=actor,
            action="course.created",
            summary=gettext("Added the course “%(title)s”") % {"title": course.title},
            data={"course": str(course.public_id)},
        )
    return course


def update_course(
    *, organization: Organization, course: Course, actor: User | None, details: CourseDetails
) -> list[str]:
    """Change a course's title, summary, basics mark, publication or pass mark.

    Returns the names of the fields that changed. Completions already earned stay.
    """
    _check_course(details)
    with transaction.atomic():
        course = Course.objects.for_org(organization).select_for_update().get(pk=course.pk)
        changed = [
            name for name, value in asdict(details).items() if getattr(course, name) != value
        ]
        if not changed:
            return []
        for name in changed:
            setattr(course, name, getattr(details, name))
        course.save(update_fields=changed)
        record_audit_entry(
            organization=organization,
            actor=actor,
            action="course.updated",
            summary=gettext("Edited the course “%(title)s”") % {"title": course.title},
            data={"course": str(course.public_id), "changed": changed},
        )
    return changed


def _move(siblings: models.QuerySet[Any], item: Ordered, direction: str) -> bool:
    """Swap `item` with its neighbour; positions are renumbered 0..n on the way, so equal
    positions (a fresh import, say) still move predictably."""
    ordered = list(siblings.select_for_update().order_by("position", "id"))
    index = next((i for i, row in enumerate(ordered) if row.pk == item.pk), None)
    if index is None:
        return False
    other = index - 1 if direction == Direction.UP else index + 1
    if not 0 <= other < len(ordered):
        return False
    ordered[index], ordered[other] = ordered[other], ordered[index]
    for position, row in enumerate(ordered):
        row.position = position
    siblings.bulk_update(ordered, ["position"])
    return True


def move_course(
    *, organization: Organization, course: Course, actor: User | None, direction: str
) -> bool:
    """Move a course one place up or down the list; False when it is already at that end."""
    with transaction.atomic():
        moved = _move(Course.objects.for_org(organization), course, direction)
        if moved:
            record_audit_entry(
                organization=organization,
                actor=actor,
                action="course.moved",
                summary=gettext("Reordered the course “%(title)s”") % {"title": course.title},
                data={"course": str(course.public_id), "direction": direction},
            )
    return moved


def create_lesson(
    *, organization: Organization, course: Course, actor: User | None, details: LessonDetails
) -> Lesson:
    """Add a lesson at the end of a course."""
    check_video_url(details.video_url)
    with transaction.atomic():
        lessons = Lesson.objects.for_org(organization).filter(course=course)
        lesson = Lesson.objects.for_org(organization).create(
            organization=organization,
            course=course,
            position=_next_position(lessons),
            **asdict(details),
        )
        record_audit_entry(
            organization=organization,
            actor=actor,
            action="lesson.created",
            summary=gettext("Added the lesson “%(title)s” to “%(course)s”")
            % {"title": lesson.title, "course": course.title},
            data={"course": str(course.public_id), "lesson": str(lesson.public_id)},
        )
    return lesson


def update_lesson(
    *, organization: Organization, lesson: Lesson, actor: User | None, details: LessonDetails
) -> list[str]:
    """Change a lesson's title, text, video link or checklist; returns what changed."""
    check_video_url(details.video_url)
    with transaction.atomic():
        lesson = Lesson.objects.for_org(organization).select_for_update().get(pk=lesson.pk)
        changed = [
            name for name, value in asdict(details).items() if getattr(lesson, name) != value
        ]
        if not changed:
            return []
        for name in changed:
            setattr(lesson, name, getattr(details, name))
        lesson.save(update_fields=changed)
        record_audit_entry(
            organization=organization,
            actor=actor,
            action="lesson.updated",
            summary=gettext("Edited the lesson “%(title)s”") % {"title": lesson.title},
            data={"lesson": str(lesson.public_id), "changed": changed},
        )
    return changed


def delete_lesson(*, organization: Organization, lesson: Lesson, actor: User | None) -> None:
    """Remove a lesson and the ticks members gave it; completed courses stay completed."""
    with transaction.atomic():
        record_audit_entry(
            organization=organization,
            actor=actor,
            action="lesson.deleted",
            summary=gettext("Removed the lesson “%(title)s”") % {"title": lesson.title},
            data={"lesson": str(lesson.public_id), "course": str(lesson.course.public_id)},
        )
        Lesson.objects.for_org(organization).filter(pk=lesson.pk).delete()


def move_lesson(
    *, organization: Organization, lesson: Lesson, actor: User | None, direction: str
) -> bool:
    """Move a lesson one place up or down within its course."""
    with transaction.atomic():
        siblings = Lesson.objects.for_org(organization).filter(course_id=lesson.course_id)
        moved = _move(siblings, lesson, direction)
        if moved:
            record_audit_entry(
                organization=organization,
                actor=actor,
                action="lesson.moved",
                summary=gettext("Reordered the lesson “%(title)s”") % {"title": lesson.title},
                data={"lesson": str(lesson.public_id), "direction": direction},
            )
    return moved


def create_question(
    *, organization: Organization, course: Course, actor: User | None, details: QuestionDetails
) -> QuizQuestion:
    """Add a question at the end of a course's quiz."""
    check_question(details)
    with transaction.atomic():
        questions = QuizQuestion.objects.for_org(organization).filter(course=course)
        question = QuizQuestion.objects.for_org(organization).create(
            organization=organization,
            course=course,
            text=details.text,
            choices=[choice.strip() for choice in details.choices],
            answer=details.answer,
            position=_next_position(questions),
        )
        record_audit_entry(
            organization=organization,
            actor=actor,
            action="quiz_question.created",
            summary=gettext("Added a quiz question to “%(course)s”") % {"course": course.title},
            data={"course": str(course.public_id), "question": str(question.public_id)},
        )
    return question


def update_question(
    *,
    organization: Organization,
    question: QuizQuestion,
    actor: User | None,
    details: QuestionDetails,
) -> list[str]:
    """Change a question, its answers or which one is right; returns what changed."""
    check_question(details)
    values = {
        "text": details.text,
        "choices": [choice.strip() for choice in details.choices],
        "answer": details.answer,
    }
    with transaction.atomic():
        question = (
            QuizQuestion.objects.for_org(organization).select_for_update().get(pk=question.pk)
        )
        changed = [name for name, value in values.items() if getattr(question, name) != value]
        if not changed:
            return []
        for name in changed:
            setattr(question, name, values[name])
        question.save(update_fields=changed)
        record_audit_entry(
            organization=organization,
            actor=actor,
            action="quiz_question.updated",
            summary=gettext("Edited the quiz question “%(text)s”") % {"text": question.text},
            data={"question": str(question.public_id), "changed": changed},
        )
    return changed


def delete_question(
    *, organization: Organization, question: QuizQuestion, actor: User | None
) -> None:
    """Remove a question from its quiz."""
    with transaction.atomic():
        record_audit_entry(
            organization=organization,
            actor=actor,
            action="quiz_question.deleted",
            summary=gettext("Removed the quiz question “%(text)s”") % {"text": question.text},
            data={"question": str(question.public_id)},
        )
        QuizQuestion.objects.for_org(organization).filter(pk=question.pk).delete()


def move_question(
    *, organization: Organization, question: QuizQuestion, actor: User | None, direction: str
) -> bool:
    """Move a question one place up or down within its quiz."""
    with transaction.atomic():
        siblings = QuizQuestion.objects.for_org(organization).filter(course_id=question.course_id)
        moved = _move(siblings, question, direction)
        if moved:
            record_audit_entry(
                organization=organization,
                actor=actor,
                action="quiz_question.moved",
                summary=gettext("Reordered the quiz question “%(text)s”") % {"text": question.text},
                data={"question": str(question.public_id), "direction": direction},
            )
    return moved


# A member's own progress ---------------------------------------------------------------------


def _check_member_course(membership: Membership, course: Course) -> None:
    if course.organization_id != membership.organization_id:
        # Views look courses up in the member's organization; this is the last line.
        raise TrainingRefused(gettext("That course is not one of this organization's."))
    if not course.is_published:
        raise TrainingRefused(gettext("This course is not published yet."))


def _lessons_left(membership: Membership, course: Course) -> int:
    organization = membership.organization
    done = LessonCompletion.objects.for_org(organization).filter(
        lesson=OuterRef("pk"), membership=membership
    )
    return Lesson.objects.for_org(organization).filter(course=course).exclude(Exists(done)).count()


def _record_completion(membership: Membership, course: Course, score_pct: int) -> bool:
    """Store a passed course, keeping the best score; True when it is newly completed."""
    completions = CourseCompletion.objects.for_org(membership.organization).filter(
        course=course, membership=membership
    )
    if completions.update(score_pct=Greatest("score_pct", Value(score_pct))):
        return False
    try:
        with transaction.atomic():
            completions.create(
                organization=membership.organization,
                course=course,
                membership=membership,
                score_pct=score_pct,
            )
    except IntegrityError:
        # The same member passing in two tabs at once: the other request stored it first.
        completions.update(score_pct=Greatest("score_pct", Value(score_pct)))
        return False
    return True


def complete_lesson(*, membership: Membership, lesson: Lesson) -> bool:
    """Tick a lesson done for `membership` (the member acting; never anyone else).

    Returns True when the tick is new. The last lesson of a course without a quiz completes
    the course. Raises TrainingRefused for a course that is not published.
    """
    course = lesson.course
    _check_member_course(membership, course)
    organization = membership.organization
    with transaction.atomic():
        _completion, created = LessonCompletion.objects.for_org(organization).get_or_create(
            organization=organization, lesson=lesson, membership=membership
        )
        if (
            created
            and not QuizQuestion.objects.for_org(organization).filter(course=course).exists()
            and not _lessons_left(membership, course)
        ):
            _record_completion(membership, course, 100)
    return created


def submit_quiz(
    *, membership: Membership, course: Course, answers: Mapping[int, int]
) -> QuizResult:
    """Score `membership`'s answers to a course's quiz ({question id: index of the chosen
    answer}) and complete the course when they pass with every lesson done.

    Only the quiz's current questions count; one left out, or naming no answer of its
    question, is wrong. Raises TrainingRefused, writing nothing, for a course that is not
    published, has no quiz, or still has lessons to do.
    """
    _check_member_course(membership, course)
    organization = membership.organization
    questions = list(QuizQuestion.objects.for_org(organization).filter(course=course))
    if not questions:
        raise TrainingRefused(gettext("This course has no quiz."))
    left = _lessons_left(membership, course)
    if left:
        raise TrainingRefused(
            ngettext(
                "Finish the last lesson first, then take the quiz.",
                "Finish the %(count)d lessons left first, then take the quiz.",
                left,
            )
            % {"count": left}
        )
    correct = sum(1 for question in questions if answers.get(question.pk) == question.answer)
    total = len(questions)
    # Rounded down, so the pass check and the shown score never disagree.
    score_pct = correct * 100 // total
    passed = score_pct >= course.pass_mark
    newly_completed = False
    best: int | None = None
    with transaction.atomic():
        if passed:
            newly_completed = _record_completion(membership, course, score_pct)
        best = (
            CourseCompletion.objects.for_org(organization)
            .filter(course=course, membership=membership)
            .values_list("score_pct", flat=True)
            .first()
        )
    return QuizResult(
        correct=correct,
        total=total,
        score_pct=score_pct,
        pass_mark=course.pass_mark,
        passed=passed,
        newly_completed=newly_completed,
        best_score_pct=best,
    )


# Reads -------------------------------------------------------------------------------------


def progress_of(membership: Membership, courses: Sequence[Course]) -> dict[int, CourseProgress]:
    """`membership`'s progress in each course, by course id, in three queries."""
    organization = membership.organization
    ids = [course.pk for course in courses]
    counts = {
        row["pk"]: row
        for row in Course.objects.for_org(organization)
        .filter(pk__in=ids)
        .annotate(
            lesson_count=Count("lessons", distinct=True),
            question_count=Count("questions", distinct=True),
        )
        .values("pk", "lesson_count", "question_count")
    }
    done = dict(
        LessonCompletion.objects.for_org(organization)
        .filter(membership=membership, lesson__course__in=ids)
        .values("lesson__course")
        .order_by()
        .annotate(n=Count("pk"))
        .values_list("lesson__course", "n")
    )
    completions = {
        completion.course_id: completion
        for completion in CourseCompletion.objects.for_org(organization).filter(
            membership=membership, course__in=ids
        )
    }
    return {
        pk: CourseProgress(
            lessons=counts.get(pk, {}).get("lesson_count", 0),
            lessons_done=done.get(pk, 0),
            questions=counts.get(pk, {}).get("question_count", 0),
            completion=completions.get(pk),
        )
        for pk in ids
    }


def done_lesson_ids(membership: Membership, course: Course) -> set[int]:
    return set(
        LessonCompletion.objects.for_org(membership.organization)
        .filter(membership=membership, lesson__course=course)
        .values_list("lesson_id", flat=True)
    )


def ready_to_share_ids(organization: Organization) -> set[int]:
    """Ids of the members who completed a basics course: they wear "ready to share"."""
    return set(
        CourseCompletion.objects.for_org(organization)
        .filter(course__is_basics=True)
        .values_list("membership_id", flat=True)
        .distinct()
    )


def is_ready_to_share(membership: Membership) -> bool:
    return (
        CourseCompletion.objects.for_org(membership.organization)
        .filter(membership=membership, course__is_basics=True)
        .exists()
    )


def _participants(organization: Organization) -> models.QuerySet[Membership]:
    # The program's participants, as analytics.rollups.participant_ids counts them.
    return Membership.objects.for_org(organization).filter(
        is_active=True, user__is_active=True, opted_in_at__isnull=False
    )


def basics_completion(organization: Organization) -> tuple[int, int]:
    """(participants who completed a basics course, participants): the program-health
    view's training figure. Someone who left the program is in neither."""
    basics = CourseCompletion.objects.for_org(organization).filter(
        membership=OuterRef("pk"), course__is_basics=True
    )
    figures = (
        _participants(organization)
        .annotate(ready=Exists(basics))
        .aggregate(participants=Count("pk"), completed=Count("pk", filter=Q(ready=True)))
    )
    return figures["completed"], figures["participants"]


@dataclass(frozen=True)
class CourseFigures:
    course: Course
    lessons: int
    questions: int
    completed: int  # participants who completed it
    participants: int

    @property
    def completed_pct(self) -> float | None:
        if not self.participants:
            return None
        return round(self.completed * 100 / self.participants, 1)


def course_figures(organization: Organization) -> list[CourseFigures]:
    """Every course (published or not) with its size and how many participants completed
    it, in three queries whatever the number of courses."""
    participants = _participants(organization)
    courses: models.QuerySet[Any] = (
        Course.objects.for_org(organization)
        .annotate(
            lesson_count=Count("lessons", distinct=True),
            question_count=Count("questions", distinct=True),
        )
        .order_by("position", "id")
    )
    completed = dict(
        CourseCompletion.objects.for_org(organization)
        .filter(membership__in=participants.values("pk"))
        .values("course")
        .order_by()
        .annotate(n=Count("pk"))
        .values_list("course", "n")
    )
    total = participants.count()
    return [
        CourseFigures(
            course=course,
            lessons=course.lesson_count,
            questions=course.question_count,
            completed=completed.get(course.pk, 0),
            participants=total,
        )
        for course in courses
    ]


@dataclass(frozen=True)
class ParticipantProgress:
    membership: Membership
    lessons_done: int
    completion: CourseCompletion | None
    ready_to_share: bool


def participant_progress(organization: Organization, course: Course) -> list[ParticipantProgress]:
    """Each participant's progress in one course, for comms (four queries)."""
    members = list(_participants(organization).select_related("user", "team"))
    done = dict(
        LessonCompletion.objects.for_org(organization)
        .filter(lesson__course=course)
        .values("membership")
        .order_by()
        .annotate(n=Count("pk"))
        .values_list("membership", "n")
    )
    completions = {
        completion.membership_id: completion
        for completion in CourseCompletion.objects.for_org(organization).filter(course=course)
    }
    ready = ready_to_share_ids(organization)
    return [
        ParticipantProgress(
            membership=member,
            lessons_done=done.get(member.pk, 0),
            completion=completions.get(member.pk),
            ready_to_share=member.pk in ready,
        )
        for member in members
    ]
