"""Training pages: members read published courses, tick lessons done and take quizzes;
comms, admins and the facilitator author the courses and see who completed them."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from advocacy.tenancy.http import OrgRequest
from advocacy.tenancy.models import MANAGE_ROLES
from advocacy.tenancy.permissions import role_required

from .. import training
from ..forms.training import (
    CourseForm,
    LessonForm,
    MoveForm,
    QuestionForm,
    QuizForm,
    names_someone_else,
)
from ..models import Course, Lesson, QuizQuestion

FOR_SOMEONE_ELSE = gettext_lazy(
    "You can only do this for yourself: the form named someone else, so nothing was saved."
)


def _courses_for(request: OrgRequest) -> QuerySet[Course]:
    """The courses the member may open: published ones; staff also preview the rest."""
    courses = Course.objects.for_org(request.organization)
    if not request.membership.can_manage:
        courses = courses.filter(is_published=True)
    return courses


def _get_course(request: OrgRequest, course_id: uuid.UUID) -> Course:
    course: Course = get_object_or_404(_courses_for(request), public_id=course_id)
    return course


def _get_lesson(request: OrgRequest, lesson_id: uuid.UUID) -> Lesson:
    lesson: Lesson = get_object_or_404(
        Lesson.objects.for_org(request.organization)
        .filter(course__in=_courses_for(request))
        .select_related("course"),
        public_id=lesson_id,
    )
    return lesson


def _refuse_for_someone_else(request: OrgRequest) -> bool:
    if names_someone_else(request.POST, request.membership):
        messages.error(request, FOR_SOMEONE_ELSE)
        return True
    return False


# What members see --------------------------------------------------------------------------


@role_required()
def courses(request: OrgRequest) -> HttpResponse:
    """The published courses, with the member's own progress in each."""
    listed = list(
        Course.objects.for_org(request.organization)
        .filter(is_published=True)
        .order_by("position", "id")
    )
    progress = training.progress_of(request.membership, listed)
    return render(
        request,
        "program/training/courses.html",
        {"rows": [(course, progress[course.pk]) for course in listed]},
    )


@role_required()
def course(request: OrgRequest, course_id: uuid.UUID) -> HttpResponse:
    """A course's lessons, which of them the member has done, and its quiz."""
    current = _get_course(request, course_id)
    lessons = list(Lesson.objects.for_org(request.organization).filter(course=current))
    done = training.done_lesson_ids(request.membership, current)
    progress = training.progress_of(request.membership, [current])[current.pk]
    return render(
        request,
        "program/training/course.html",
        {
            "course": current,
            "lessons": [(lesson, lesson.pk in done) for lesson in lessons],
            "progress": progress,
        },
    )


@role_required()
def lesson(request: OrgRequest, lesson_id: uuid.UUID) -> HttpResponse:
    current = _get_lesson(request, lesson_id)
    siblings = list(
        Lesson.objects.for_org(request.organization)
        .filter(course_id=current.course_id)
        .only("public_id", "title", "position")
    )
    index = next(i for i, row in enumerate(siblings) if row.pk == current.pk)
    done = current.pk in training.done_lesson_ids(request.membership, current.course)
    return render(
        request,
        "program/training/lesson.html",
        {
            "course": current.course,
            "lesson": current,
            "checklist": training.checklist_items(current.checklist),
            "done": done,
            "number": index + 1,
            "count": len(siblings),
            "previous": siblings[index - 1] if index > 0 else None,
            "next": siblings[index + 1] if index + 1 < len(siblings) else None,
        },
    )


@role_required()
def lesson_done(request: OrgRequest, lesson_id: uuid.UUID) -> HttpResponse:
    """Tick a lesson done, for the member signed in and nobody else."""
    # Looked up before the method check, so another organization's id is a 404 either way.
    current = _get_lesson(request, lesson_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    if _refuse_for_someone_else(request):
        return redirect("program:lesson", org_slug=request.organization.slug, lesson_id=lesson_id)
    try:
        created = training.complete_lesson(membership=request.membership, lesson=current)
    except training.TrainingRefused as refusal:
        messages.error(request, refusal.message)
        return redirect("program:lesson", org_slug=request.organization.slug, lesson_id=lesson_id)
    if created:
        messages.success(request, _("“%(title)s” is done.") % {"title": current.title})
    return redirect(
        "program:course", org_slug=request.organization.slug, course_id=current.course.public_id
    )


@role_required()
def quiz(request: OrgRequest, course_id: uuid.UUID) -> HttpResponse:
    """The course's quiz: scored here, on the server, for the member signed in."""
    current = _get_course(request, course_id)
    questions = list(QuizQuestion.objects.for_org(request.organization).filter(course=current))
    progress = training.progress_of(request.membership, [current])[current.pk]
    form = QuizForm(request.POST if request.method == "POST" else None, questions=questions)
    result = None
    if request.method == "POST":
        if _refuse_for_someone_else(request):
            return redirect("program:quiz", org_slug=request.organization.slug, course_id=course_id)
        if form.is_valid():
            try:
                result = training.submit_quiz(
                    membership=request.membership, course=current, answers=form.answers()
                )
            except training.TrainingRefused as refusal:
                messages.error(request, refusal.message)
                return redirect(
                    "program:course", org_slug=request.organization.slug, course_id=course_id
                )
            if result.newly_completed:
                messages.success(
                    request, _("You completed “%(title)s”.") % {"title": current.title}
                )
            # A fresh form to retake it; the result says how this attempt went.
            form = QuizForm(questions=questions)
            progress = training.progress_of(request.membership, [current])[current.pk]
    return render(
        request,
        "program/training/quiz.html",
        {"course": current, "form": form, "result": result, "progress": progress},
    )


# Authoring (comms, admins, the facilitator) ------------------------------------------------


def _manage_course(request: OrgRequest, course_id: uuid.UUID) -> Course:
    found: Course = get_object_or_404(
        Course.objects.for_org(request.organization), public_id=course_id
    )
    return found


def _manage_lesson(request: OrgRequest, lesson_id: uuid.UUID) -> Lesson:
    found: Lesson = get_object_or_404(
        Lesson.objects.for_org(request.organization).select_related("course"),
        public_id=lesson_id,
    )
    return found


def _manage_question(request: OrgRequest, question_id: uuid.UUID) -> QuizQuestion:
    found: QuizQuestion = get_object_or_404(
        QuizQuestion.objects.for_org(request.organization).select_related("course"),
        public_id=question_id,
    )
    return found


def _to_course_edit(request: OrgRequest, current: Course) -> HttpResponse:
    return redirect(
        "program:course_edit", org_slug=request.organization.slug, course_id=current.public_id
    )


@role_required(MANAGE_ROLES)
def course_admin(request: OrgRequest) -> HttpResponse:
    """Every course, published or not, with how many participants completed it."""
    return render(
        request,
        "program/training/course_admin.html",
        {"figures": training.course_figures(request.organization)},
    )


@role_required(MANAGE_ROLES)
def course_new(request: OrgRequest) -> HttpResponse:
    form = CourseForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        try:
            created = training.create_course(
                organization=request.organization, actor=request.user, details=form.details()
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request, _("“%(title)s” was added. Now give it lessons.") % {"title": created.title}
            )
            return _to_course_edit(request, created)
    return render(request, "program/training/course_form.html", {"form": form, "course": None})


@role_required(MANAGE_ROLES)
def course_edit(request: OrgRequest, course_id: uuid.UUID) -> HttpResponse:
    """A course's details, its lessons and its quiz, for the authors."""
    current = _manage_course(request, course_id)
    form = CourseForm(request.POST if request.method == "POST" else None, instance=current)
    if form.is_valid():
        try:
            changed = training.update_course(
                organization=request.organization,
                course=current,
                actor=request.user,
                details=form.details(),
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            if changed:
                messages.success(request, _("The course was saved."))
            else:
                messages.info(request, _("Nothing was changed."))
            return _to_course_edit(request, current)
    # A rejected form has applied its input to `current`; the page shows what is stored.
    stored = _manage_course(request, course_id) if form.is_bound else current
    return render(
        request,
        "program/training/course_form.html",
        {
            "form": form,
            "course": stored,
            "lessons": Lesson.objects.for_org(request.organization).filter(course=stored),
            "questions": QuizQuestion.objects.for_org(request.organization).filter(course=stored),
        },
    )


@role_required(MANAGE_ROLES)
def course_progress(request: OrgRequest, course_id: uuid.UUID) -> HttpResponse:
    """Who of the participants has done how much of one course."""
    current = _manage_course(request, course_id)
    rows = training.participant_progress(request.organization, current)
    lesson_count = Lesson.objects.for_org(request.organization).filter(course=current).count()
    return render(
        request,
        "program/training/course_progress.html",
        {
            "course": current,
            "rows": rows,
            "lesson_count": lesson_count,
            "completed": sum(1 for row in rows if row.completion is not None),
        },
    )


def _move_view(request: OrgRequest, move: Any, back: HttpResponse, **kwargs: Any) -> HttpResponse:
    form = MoveForm(request.POST)
    if form.is_valid():
        move(
            organization=request.organization,
            actor=request.user,
            direction=form.cleaned_data["direction"],
            **kwargs,
        )
    return back


@role_required(MANAGE_ROLES)
def course_move(request: OrgRequest, course_id: uuid.UUID) -> HttpResponse:
    current = _manage_course(request, course_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    back = redirect("program:course_admin", org_slug=request.organization.slug)
    return _move_view(request, training.move_course, back, course=current)


@role_required(MANAGE_ROLES)
def lesson_new(request: OrgRequest, course_id: uuid.UUID) -> HttpResponse:
    current = _manage_course(request, course_id)
    form = LessonForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        try:
            created = training.create_lesson(
                organization=request.organization,
                course=current,
                actor=request.user,
                details=form.details(),
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("“%(title)s” was added.") % {"title": created.title})
            return _to_course_edit(request, current)
    return render(
        request,
        "program/training/lesson_form.html",
        {"form": form, "course": current, "lesson": None},
    )


@role_required(MANAGE_ROLES)
def lesson_edit(request: OrgRequest, lesson_id: uuid.UUID) -> HttpResponse:
    current = _manage_lesson(request, lesson_id)
    form = LessonForm(request.POST if request.method == "POST" else None, instance=current)
    if form.is_valid():
        try:
            changed = training.update_lesson(
                organization=request.organization,
                lesson=current,
                actor=request.user,
                details=form.details(),
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            if changed:
                messages.success(request, _("The lesson was saved."))
            else:
                messages.info(request, _("Nothing was changed."))
            return _to_course_edit(request, current.course)
    stored = _manage_lesson(request, lesson_id) if form.is_bound else current
    return render(
        request,
        "program/training/lesson_form.html",
        {"form": form, "course": stored.course, "lesson": stored},
    )


@role_required(MANAGE_ROLES)
def lesson_delete(request: OrgRequest, lesson_id: uuid.UUID) -> HttpResponse:
    current = _manage_lesson(request, lesson_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    training.delete_lesson(organization=request.organization, lesson=current, actor=request.user)
    messages.success(request, _("“%(title)s” was removed.") % {"title": current.title})
    return _to_course_edit(request, current.course)


@role_required(MANAGE_ROLES)
def lesson_move(request: OrgRequest, lesson_id: uuid.UUID) -> HttpResponse:
    current = _manage_lesson(request, lesson_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    back = _to_course_edit(request, current.course)
    return _move_view(request, training.move_lesson, back, lesson=current)


@role_required(MANAGE_ROLES)
def question_new(request: OrgRequest, course_id: uuid.UUID) -> HttpResponse:
    current = _manage_course(request, course_id)
    form = QuestionForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        try:
            training.create_question(
                organization=request.organization,
                course=current,
                actor=request.user,
                details=form.details(),
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The question was added."))
            return _to_course_edit(request, current)
    return render(
        request,
        "program/training/question_form.html",
        {"form": form, "course": current, "question": None},
    )


@role_required(MANAGE_ROLES)
def question_edit(request: OrgRequest, question_id: uuid.UUID) -> HttpResponse:
    current = _manage_question(request, question_id)
    form = QuestionForm(request.POST if request.method == "POST" else None, question=current)
    if form.is_valid():
        try:
            changed = training.update_question(
                organization=request.organization,
                question=current,
                actor=request.user,
                details=form.details(),
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            if changed:
                messages.success(request, _("The question was saved."))
            else:
                messages.info(request, _("Nothing was changed."))
            return _to_course_edit(request, current.course)
    return render(
        request,
        "program/training/question_form.html",
        {"form": form, "course": current.course, "question": current},
    )


@role_required(MANAGE_ROLES)
def question_delete(request: OrgRequest, question_id: uuid.UUID) -> HttpResponse:
    current = _manage_question(request, question_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    training.delete_question(
        organization=request.organization, question=current, actor=request.user
    )
    messages.success(request, _("The question was removed."))
    return _to_course_edit(request, current.course)


@role_required(MANAGE_ROLES)
def question_move(request: OrgRequest, question_id: uuid.UUID) -> HttpResponse:
    current = _manage_question(request, question_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    back = _to_course_edit(request, current.course)
    return _move_view(request, training.move_question, back, question=current)
