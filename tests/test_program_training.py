"""Training: courses authored by comms, lessons ticked and quizzes taken by members for
themselves only, the "ready to share" badge, and the completion figures."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.db import connection
from django.template import Context, Template
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from advocacy.program import training
from advocacy.program.forms.training import quiz_field_name
from advocacy.program.models import (
    Course,
    CourseCompletion,
    Lesson,
    LessonCompletion,
    QuizQuestion,
)
from advocacy.tenancy.models import AuditEntry, Membership

from .conftest import Cast
from .factories import (
    CourseCompletionFactory,
    CourseFactory,
    LessonCompletionFactory,
    LessonFactory,
    MembershipFactory,
    QuizQuestionFactory,
    TeamFactory,
)

Role = Membership.Role
BADGE = 'title="Completed the basics course">Ready to share</span>'


def url(name: str, org: str = "acme", **kwargs: object) -> str:
    return reverse(f"program:{name}", kwargs={"org_slug": org, **kwargs})


def texts(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def lesson_ids_done(membership: Membership) -> set[int]:
    return set(
        LessonCompletion.all_tenants.filter(membership=membership).values_list(
            "lesson_id", flat=True
        )
    )


@pytest.fixture
def basics(cast: Cast) -> Course:
    """A basics course: two lessons and four questions (each right answer is the first),
    passed with three right (75 %)."""
    course = CourseFactory(organization=cast.acme, title="Sharing basics", is_basics=True)
    course.pass_mark = 75
    course.save()
    LessonFactory(course=course, title="Why share", position=0)
    LessonFactory(course=course, title="In your own words", position=1)
    for n in range(4):
        QuizQuestionFactory(course=course, text=f"Question {n + 1}?", position=n)
    return course


def lessons_of(course: Course) -> list[Lesson]:
    return list(Lesson.all_tenants.filter(course=course).order_by("position"))


def questions_of(course: Course) -> list[QuizQuestion]:
    return list(QuizQuestion.all_tenants.filter(course=course).order_by("position"))


def answers(course: Course, right: int) -> dict[str, str]:
    """The quiz form with the first `right` questions answered right, the rest wrong."""
    return {
        quiz_field_name(question): str(question.answer if n < right else question.answer + 1)
        for n, question in enumerate(questions_of(course))
    }


def do_lessons(membership: Membership, course: Course) -> None:
    for lesson in lessons_of(course):
        LessonCompletionFactory(lesson=lesson, membership=membership)


def completion(membership: Membership, course: Course) -> CourseCompletion | None:
    return CourseCompletion.all_tenants.filter(membership=membership, course=course).first()


# Authoring ---------------------------------------------------------------------------------

COURSE_FORM = {
    "title": "Your LinkedIn profile",
    "summary": "A profile people trust.",
    "is_basics": "on",
    "is_published": "on",
    "pass_mark": "80",
}


@pytest.mark.parametrize("persona", ["alice", "carol", "fay"])
def test_staff_author_a_course(cast: Cast, client_for, persona):
    response = client_for(getattr(cast, persona)).post(url("course_new"), COURSE_FORM)
    course = Course.objects.for_org(cast.acme).get()
    assert response.status_code == 302
    assert response["Location"] == url("course_edit", course_id=course.public_id)
    assert (course.title, course.is_basics, course.is_published, course.pass_mark) == (
        "Your LinkedIn profile",
        True,
        True,
        80,
    )
    entry = AuditEntry.objects.for_org(cast.acme).get(action="course.created")
    assert entry.actor == getattr(cast, persona)


@pytest.mark.parametrize("persona", ["emma", "leo"])
def test_employee_and_leader_cannot_author(cast: Cast, client_for, persona, basics):
    client = client_for(getattr(cast, persona))
    lesson = lessons_of(basics)[0]
    question = questions_of(basics)[0]
    assert client.get(url("course_admin")).status_code == 403
    assert client.get(url("course_new")).status_code == 403
    assert client.post(url("course_new"), COURSE_FORM).status_code == 403
    assert (
        client.post(url("course_edit", course_id=basics.public_id), COURSE_FORM).status_code == 403
    )
    assert (
        client.post(
            url("lesson_new", course_id=basics.public_id), {"title": "x", "body": "y"}
        ).status_code
        == 403
    )
    assert client.post(url("lesson_delete", lesson_id=lesson.public_id)).status_code == 403
    assert client.post(url("question_delete", question_id=question.public_id)).status_code == 403
    assert client.get(url("course_progress", course_id=basics.public_id)).status_code == 403
    assert list(Course.objects.for_org(cast.acme)) == [basics]
    assert Lesson.objects.for_org(cast.acme).count() == 2
    assert QuizQuestion.objects.for_org(cast.acme).count() == 4
    basics.refresh_from_db()
    assert basics.title == "Sharing basics"


def test_a_course_is_edited_and_an_unchanged_form_changes_nothing(cast: Cast, client_for, basics):
    carol = client_for(cast.carol)
    form = {"title": "Basics", "summary": "", "is_basics": "on", "pass_mark": "60"}
    response = carol.post(url("course_edit", course_id=basics.public_id), form)
    assert response.status_code == 302
    basics.refresh_from_db()
    assert (basics.title, basics.is_published, basics.pass_mark) == ("Basics", False, 60)
    response = carol.post(url("course_edit", course_id=basics.public_id), form)
    assert texts(response)[-1] == "Nothing was changed."
    assert AuditEntry.objects.for_org(cast.acme).filter(action="course.updated").count() == 1


def test_a_pass_mark_over_100_is_refused(cast: Cast, client_for, basics):
    response = client_for(cast.carol).post(
        url("course_edit", course_id=basics.public_id), {**COURSE_FORM, "pass_mark": "101"}
    )
    assert response.status_code == 200
    assert "pass_mark" in response.context["form"].errors
    basics.refresh_from_db()
    assert basics.pass_mark == 75


def test_a_lesson_is_written_with_a_video_and_a_checklist(cast: Cast, client_for, basics):
    response = client_for(cast.carol).post(
        url("lesson_new", course_id=basics.public_id),
        {
            "title": "Your headline",
            "body": "First paragraph.\n\nSecond paragraph.",
            "video_url": "https://video.example/headline",
            "checklist": "Update your headline\n\n  Add a photo  \n",
        },
    )
    assert response.status_code == 302
    lesson = lessons_of(basics)[-1]
    assert (lesson.title, lesson.video_url, lesson.position) == (
        "Your headline",
        "https://video.example/headline",
        2,
    )
    assert training.checklist_items(lesson.checklist) == ["Update your headline", "Add a photo"]


@pytest.mark.parametrize(
    "video_url",
    [
        "javascript:alert(1)",
        "JavaScript:alert(document.cookie)//https://x.example",
        "data:text/html,<script>alert(1)</script>",
        "ftp://files.example/video.mp4",
    ],
)
def test_a_video_link_must_be_http_or_https(cast: Cast, client_for, basics, video_url):
    response = client_for(cast.carol).post(
        url("lesson_new", course_id=basics.public_id),
        {"title": "Sneaky", "body": "Text", "video_url": video_url},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["video_url"]
    assert Lesson.objects.for_org(cast.acme).count() == 2


def test_the_service_refuses_a_javascript_video_link_too(cast: Cast, basics):
    with pytest.raises(ValidationError) as refusal:
        training.create_lesson(
            organization=cast.acme,
            course=basics,
            actor=cast.carol,
            details=training.LessonDetails(
                title="Sneaky", body="Text", video_url="javascript:alert(1)", checklist=""
            ),
        )
    assert "video_url" in refusal.value.message_dict
    assert Lesson.objects.for_org(cast.acme).count() == 2


def test_a_lessons_text_is_plain_text_with_paragraphs(cast: Cast, client_for, basics):
    lesson = lessons_of(basics)[0]
    lesson.body = (
        "Hello <b>there</b><script>alert(1)</script>\n\nSee https://example.com/guide "
        'and <a href="javascript:alert(1)">this</a>.'
    )
    lesson.checklist = "Tick <i>this</i>\nAnd that"
    lesson.save()
    html = client_for(cast.emma).get(url("lesson", lesson_id=lesson.public_id)).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;b&gt;there&lt;/b&gt;" in html
    assert 'href="javascript:' not in html
    assert '<a href="https://example.com/guide" rel="nofollow">' in html
    assert "</p>\n\n<p>See" in html
    assert "<li>Tick &lt;i&gt;this&lt;/i&gt;</li>" in html
    assert "<li>And that</li>" in html


def test_a_question_needs_two_to_six_answers_and_a_right_one(cast: Cast, client_for, basics):
    carol = client_for(cast.carol)
    new = url("question_new", course_id=basics.public_id)
    one = carol.post(new, {"text": "Only one?", "choice_1": "Yes", "answer": "0"})
    assert one.status_code == 200
    assert one.context["form"].errors["choice_2"]
    blank_right = carol.post(
        new, {"text": "Which?", "choice_1": "A", "choice_2": "B", "answer": "3"}
    )
    assert blank_right.context["form"].errors["answer"]
    twice = carol.post(new, {"text": "Which?", "choice_1": "A", "choice_2": " a ", "answer": "0"})
    assert twice.context["form"].non_field_errors() == ["Two answers read the same."]
    assert QuizQuestion.objects.for_org(cast.acme).count() == 4

    # The third box left empty: the answers close up and the right one keeps its text.
    response = carol.post(
        new,
        {
            "text": "Which share works best?",
            "choice_1": "The press release as it is",
            "choice_2": "A caption word for word",
            "choice_4": "The news in my own words",
            "answer": "3",
        },
    )
    assert response.status_code == 302
    question = questions_of(basics)[-1]
    assert question.choices == [
        "The press release as it is",
        "A caption word for word",
        "The news in my own words",
    ]
    assert question.choices[question.answer] == "The news in my own words"


def test_a_question_is_edited_from_its_current_answers(cast: Cast, client_for, basics):
    question = questions_of(basics)[0]
    carol = client_for(cast.carol)
    page = carol.get(url("question_edit", question_id=question.public_id))
    assert page.context["form"].initial["choice_3"] == "Also wrong"
    response = carol.post(
        url("question_edit", question_id=question.public_id),
        {"text": "Renamed?", "choice_1": "Right", "choice_2": "Wrong", "answer": "1"},
    )
    assert response.status_code == 302
    question.refresh_from_db()
    assert (question.text, question.choices, question.answer) == ("Renamed?", ["Right", "Wrong"], 1)


def test_lessons_questions_and_courses_are_reordered(cast: Cast, client_for, basics):
    carol = client_for(cast.carol)
    _first, second = lessons_of(basics)
    carol.post(url("lesson_move", lesson_id=second.public_id), {"direction": "up"})
    assert [lesson.title for lesson in lessons_of(basics)] == ["In your own words", "Why share"]
    # Already at the top: nothing moves.
    carol.post(url("lesson_move", lesson_id=second.public_id), {"direction": "up"})
    assert [lesson.title for lesson in lessons_of(basics)] == ["In your own words", "Why share"]

    q1 = questions_of(basics)[0]
    carol.post(url("question_move", question_id=q1.public_id), {"direction": "down"})
    assert [q.text for q in questions_of(basics)] == [
        "Question 2?",
        "Question 1?",
        "Question 3?",
        "Question 4?",
    ]

    later = CourseFactory(organization=cast.acme, title="Later")
    carol.post(url("course_move", course_id=later.public_id), {"direction": "up"})
    assert list(
        Course.objects.for_org(cast.acme).order_by("position", "id").values_list("title", flat=True)
    ) == ["Later", "Sharing basics"]


def test_a_lesson_is_removed_with_its_ticks(cast: Cast, client_for, basics):
    emma = cast.membership(cast.emma, cast.acme)
    first = lessons_of(basics)[0]
    LessonCompletionFactory(lesson=first, membership=emma)
    response = client_for(cast.carol).post(url("lesson_delete", lesson_id=first.public_id))
    assert response.status_code == 302
    assert [lesson.title for lesson in lessons_of(basics)] == ["In your own words"]
    assert lesson_ids_done(emma) == set()
    assert AuditEntry.objects.for_org(cast.acme).filter(action="lesson.deleted").exists()


# What members see --------------------------------------------------------------------------


def test_members_see_published_courses_only(cast: Cast, client_for, basics):
    draft = CourseFactory(organization=cast.acme, title="Not ready", is_published=False)
    emma = client_for(cast.emma)
    listed = emma.get(url("courses"))
    assert [course.title for course, _progress in listed.context["rows"]] == ["Sharing basics"]
    assert emma.get(url("course", course_id=draft.public_id)).status_code == 404
    draft_lesson = LessonFactory(course=draft)
    assert emma.get(url("lesson", lesson_id=draft_lesson.public_id)).status_code == 404
    # Comms preview it, and nothing can be done in it yet.
    carol = client_for(cast.carol)
    assert "Preview" in carol.get(url("course", course_id=draft.public_id)).content.decode()
    response = carol.post(url("lesson_done", lesson_id=draft_lesson.public_id))
    assert texts(response) == ["This course is not published yet."]
    assert not LessonCompletion.objects.for_org(cast.acme).exists()


def test_a_member_ticks_a_lesson_done_for_themselves(cast: Cast, client_for, basics):
    emma = cast.membership(cast.emma, cast.acme)
    first = lessons_of(basics)[0]
    response = client_for(cast.emma).post(url("lesson_done", lesson_id=first.public_id))
    assert response.status_code == 302
    assert response["Location"] == url("course", course_id=basics.public_id)
    assert lesson_ids_done(emma) == {first.pk}
    # Twice is once.
    client_for(cast.emma).post(url("lesson_done", lesson_id=first.public_id))
    assert LessonCompletion.objects.for_org(cast.acme).count() == 1
    page = client_for(cast.emma).get(url("course", course_id=basics.public_id))
    assert page.context["progress"].lessons_done == 1


@pytest.mark.parametrize("field", ["membership", "member_id", "user", "user_id"])
def test_a_lesson_cannot_be_ticked_for_someone_else(cast: Cast, client_for, basics, field):
    carol = cast.membership(cast.carol, cast.acme)
    first = lessons_of(basics)[0]
    value = str(cast.carol.pk) if field.startswith("user") else str(carol.public_id)
    response = client_for(cast.emma).post(
        url("lesson_done", lesson_id=first.public_id), {field: value}
    )
    assert response.status_code == 302
    assert texts(response) == [
        "You can only do this for yourself: the form named someone else, so nothing was saved."
    ]
    assert not LessonCompletion.objects.for_org(cast.acme).exists()


def test_naming_oneself_is_no_refusal(cast: Cast, client_for, basics):
    emma = cast.membership(cast.emma, cast.acme)
    first = lessons_of(basics)[0]
    client_for(cast.emma).post(
        url("lesson_done", lesson_id=first.public_id), {"membership": str(emma.public_id)}
    )
    assert lesson_ids_done(emma) == {first.pk}


def test_the_quiz_waits_for_every_lesson(cast: Cast, client_for, basics):
    emma = cast.membership(cast.emma, cast.acme)
    LessonCompletionFactory(lesson=lessons_of(basics)[0], membership=emma)
    client = client_for(cast.emma)
    page = client.get(url("quiz", course_id=basics.public_id))
    assert "Finish the last lesson, then take the quiz." in page.content.decode()
    response = client.post(url("quiz", course_id=basics.public_id), answers(basics, right=4))
    assert response["Location"] == url("course", course_id=basics.public_id)
    assert texts(response) == ["Finish the last lesson first, then take the quiz."]
    assert completion(emma, basics) is None


def test_passing_the_quiz_completes_the_course(cast: Cast, client_for, basics):
    emma = cast.membership(cast.emma, cast.acme)
    do_lessons(emma, basics)
    # The form's own idea of the score means nothing: it is counted on the server.
    response = client_for(cast.emma).post(
        url("quiz", course_id=basics.public_id), {**answers(basics, right=3), "score_pct": "100"}
    )
    assert response.status_code == 200
    result = response.context["result"]
    assert (result.correct, result.total, result.score_pct, result.passed) == (3, 4, 75, True)
    assert result.newly_completed
    assert completion(emma, basics).score_pct == 75
    assert "3 of 4 right: 75 %" in response.content.decode()


def test_failing_the_quiz_completes_nothing(cast: Cast, client_for, basics):
    emma = cast.membership(cast.emma, cast.acme)
    do_lessons(emma, basics)
    response = client_for(cast.emma).post(
        url("quiz", course_id=basics.public_id), answers(basics, right=2)
    )
    result = response.context["result"]
    assert (result.score_pct, result.passed, result.best_score_pct) == (50, False, None)
    assert completion(emma, basics) is None
    assert "Not passed this time" in response.content.decode()


def test_a_score_just_short_of_the_pass_mark_fails(cast: Cast):
    emma = cast.membership(cast.emma, cast.acme)
    course = CourseFactory(organization=cast.acme)
    course.pass_mark = 67
    course.save()
    questions = [QuizQuestionFactory(course=course) for _ in range(3)]
    # Two of three is 66.7 %: shown as 66 %, and short of 67 %.
    result = training.submit_quiz(
        membership=emma,
        course=course,
        answers={questions[0].pk: 0, questions[1].pk: 0, questions[2].pk: 2},
    )
    assert (result.score_pct, result.passed) == (66, False)


def test_an_unanswered_question_is_a_form_error_and_nothing_is_written(
    cast: Cast, client_for, basics
):
    emma = cast.membership(cast.emma, cast.acme)
    do_lessons(emma, basics)
    partial = answers(basics, right=4)
    missing = quiz_field_name(questions_of(basics)[1])
    del partial[missing]
    response = client_for(cast.emma).post(url("quiz", course_id=basics.public_id), partial)
    assert response.status_code == 200
    assert response.context["form"].errors[missing] == ["Choose an answer."]
    assert response.context["result"] is None
    assert completion(emma, basics) is None


def test_a_quiz_can_be_retaken_and_keeps_the_best_score(cast: Cast, client_for, basics):
    emma = cast.membership(cast.emma, cast.acme)
    do_lessons(emma, basics)
    client = client_for(cast.emma)
    quiz = url("quiz", course_id=basics.public_id)
    client.post(quiz, answers(basics, right=3))
    first_completed_at = completion(emma, basics).completed_at
    better = client.post(quiz, answers(basics, right=4)).context["result"]
    assert (better.score_pct, better.newly_completed, better.best_score_pct) == (100, False, 100)
    worse = client.post(quiz, answers(basics, right=1)).context["result"]
    assert (worse.score_pct, worse.passed, worse.best_score_pct) == (25, False, 100)
    stored = completion(emma, basics)
    assert (stored.score_pct, stored.completed_at) == (100, first_completed_at)
    assert CourseCompletion.objects.for_org(cast.acme).count() == 1


@pytest.mark.parametrize("field", ["membership", "membership_id", "member", "user_id"])
def test_a_quiz_answered_for_someone_else_is_refused(cast: Cast, client_for, basics, field):
    emma, carol = (cast.membership(user, cast.acme) for user in (cast.emma, cast.carol))
    do_lessons(emma, basics)
    do_lessons(carol, basics)
    value = str(cast.carol.pk) if field.startswith("user") else str(carol.public_id)
    response = client_for(cast.emma).post(
        url("quiz", course_id=basics.public_id), {**answers(basics, right=4), field: value}
    )
    assert response.status_code == 302
    assert response["Location"] == url("quiz", course_id=basics.public_id)
    assert texts(response) == [
        "You can only do this for yourself: the form named someone else, so nothing was saved."
    ]
    assert not CourseCompletion.objects.for_org(cast.acme).exists()


def test_a_course_without_a_quiz_completes_with_its_last_lesson(cast: Cast, client_for):
    emma = cast.membership(cast.emma, cast.acme)
    course = CourseFactory(organization=cast.acme, is_basics=True)
    first, last = LessonFactory(course=course), LessonFactory(course=course)
    client = client_for(cast.emma)
    client.post(url("lesson_done", lesson_id=first.public_id))
    assert completion(emma, course) is None
    client.post(url("lesson_done", lesson_id=last.public_id))
    assert completion(emma, course).score_pct == 100
    assert training.is_ready_to_share(emma)


# The badge and the figures -----------------------------------------------------------------


def test_the_basics_course_earns_the_ready_to_share_badge(cast: Cast, client_for, basics):
    emma = cast.membership(cast.emma, cast.acme)
    dashboard_url = reverse("content:dashboard", args=["acme"])
    other = CourseFactory(organization=cast.acme, title="Advanced")
    CourseCompletionFactory(course=other, membership=emma)
    assert BADGE not in client_for(cast.emma).get(dashboard_url).content.decode()

    do_lessons(emma, basics)
    client_for(cast.emma).post(url("quiz", course_id=basics.public_id), answers(basics, right=4))
    assert BADGE in client_for(cast.emma).get(dashboard_url).content.decode()
    assert BADGE in client_for(cast.emma).get(url("courses")).content.decode()
    # Only Emma wears it.
    assert BADGE not in client_for(cast.carol).get(dashboard_url).content.decode()


def test_the_badge_tag_asks_once_per_page(cast: Cast, basics, django_assert_num_queries):
    template = Template(
        "{% load program %}{% for m in members %}{% ready_to_share_badge m %}{% endfor %}"
    )
    members = [MembershipFactory(organization=cast.acme) for _ in range(4)]
    CourseCompletionFactory(course=basics, membership=members[1])
    CourseCompletionFactory(course=basics, membership=members[3])
    request = RequestFactory().get("/")
    with django_assert_num_queries(1):
        html = template.render(Context({"members": members, "request": request}))
    assert html.count(BADGE) == 2


def participate(*memberships: Membership) -> None:
    Membership.all_tenants.filter(pk__in=[m.pk for m in memberships]).update(
        opted_in_at=timezone.now()
    )


def test_completion_figures_for_comms(cast: Cast, client_for, basics):
    emma, carol, leo = (cast.membership(u, cast.acme) for u in (cast.emma, cast.carol, cast.leo))
    participate(emma, carol, leo)
    left = MembershipFactory(organization=cast.acme, opted_in_at=None)
    for member in (emma, left):
        CourseCompletionFactory(course=basics, membership=member, score_pct=75)
    LessonCompletionFactory(lesson=lessons_of(basics)[0], membership=carol)

    assert training.basics_completion(cast.acme) == (1, 3)
    [figures] = client_for(cast.carol).get(url("course_admin")).context["figures"]
    assert (figures.lessons, figures.questions, figures.completed, figures.participants) == (
        2,
        4,
        1,
        3,
    )
    assert figures.completed_pct == 33.3

    page = client_for(cast.carol).get(url("course_progress", course_id=basics.public_id))
    rows = {row.membership.pk: row for row in page.context["rows"]}
    assert set(rows) == {emma.pk, carol.pk, leo.pk}  # someone who left is in no row
    assert (rows[emma.pk].completion.score_pct, rows[emma.pk].ready_to_share) == (75, True)
    assert (rows[carol.pk].lessons_done, rows[carol.pk].completion) == (1, None)
    assert page.context["completed"] == 1
    assert page.content.decode().count(BADGE) == 1


def test_basics_completion_counts_only_current_participants(cast: Cast, basics):
    emma = cast.membership(cast.emma, cast.acme)
    participate(emma)
    CourseCompletionFactory(course=basics, membership=emma)
    assert training.basics_completion(cast.acme) == (1, 1)
    Membership.all_tenants.filter(pk=emma.pk).update(is_active=False)
    assert training.basics_completion(cast.acme) == (0, 0)
    assert training.basics_completion(cast.globex) == (0, 0)


# Other organizations -----------------------------------------------------------------------


def test_cannot_get_other_org_course(cast: Cast, client_for):
    theirs = CourseFactory(organization=cast.globex)
    emma = client_for(cast.emma)
    assert emma.get(url("course", course_id=theirs.public_id)).status_code == 404
    assert emma.get(url("quiz", course_id=theirs.public_id)).status_code == 404
    carol = client_for(cast.carol)
    assert carol.get(url("course_edit", course_id=theirs.public_id)).status_code == 404
    assert carol.post(url("course_move", course_id=theirs.public_id)).status_code == 404


def test_cannot_get_other_org_lesson(cast: Cast, client_for):
    theirs = LessonFactory(course=CourseFactory(organization=cast.globex))
    question = QuizQuestionFactory(course=theirs.course)
    emma = client_for(cast.emma)
    assert emma.get(url("lesson", lesson_id=theirs.public_id)).status_code == 404
    assert emma.post(url("lesson_done", lesson_id=theirs.public_id)).status_code == 404
    carol = client_for(cast.carol)
    assert carol.post(url("lesson_delete", lesson_id=theirs.public_id)).status_code == 404
    assert carol.post(url("question_delete", question_id=question.public_id)).status_code == 404
    assert Lesson.all_tenants.filter(pk=theirs.pk).exists()
    assert QuizQuestion.all_tenants.filter(pk=question.pk).exists()
    assert not LessonCompletion.all_tenants.exists()


def test_a_member_cannot_complete_another_orgs_lesson_through_the_service(cast: Cast):
    theirs = LessonFactory(course=CourseFactory(organization=cast.globex))
    with pytest.raises(training.TrainingRefused):
        training.complete_lesson(membership=cast.membership(cast.emma, cast.acme), lesson=theirs)
    assert not LessonCompletion.all_tenants.exists()


# Query counts ------------------------------------------------------------------------------


def _grow_courses(cast: Cast, how_many: int) -> None:
    emma = cast.membership(cast.emma, cast.acme)
    for _ in range(how_many):
        course = CourseFactory(organization=cast.acme)
        lesson = LessonFactory(course=course)
        QuizQuestionFactory(course=course)
        LessonCompletionFactory(lesson=lesson, membership=emma)
        CourseCompletionFactory(course=course, membership=emma)


@pytest.mark.parametrize("name", ["courses", "course_admin"])
def test_course_lists_make_a_fixed_number_of_queries(
    cast: Cast, client_for, django_assert_num_queries, name
):
    _grow_courses(cast, 1)
    client = client_for(cast.emma if name == "courses" else cast.carol)
    client.get(url(name))  # the session settles first
    with CaptureQueriesContext(connection) as baseline:
        assert client.get(url(name)).status_code == 200
    _grow_courses(cast, 5)
    with django_assert_num_queries(len(baseline.captured_queries)):
        response = client.get(url(name))
    assert len(response.context["rows" if name == "courses" else "figures"]) == 6


def test_course_progress_makes_a_fixed_number_of_queries(
    cast: Cast, client_for, django_assert_num_queries, basics
):
    team = TeamFactory(organization=cast.acme)

    def grow(how_many: int) -> None:
        for _ in range(how_many):
            member = MembershipFactory(
                organization=cast.acme, team=team, opted_in_at=timezone.now()
            )
            LessonCompletionFactory(lesson=lessons_of(basics)[0], membership=member)
            CourseCompletionFactory(course=basics, membership=member)

    grow(1)
    client = client_for(cast.carol)
    page = url("course_progress", course_id=basics.public_id)
    client.get(page)
    with CaptureQueriesContext(connection) as baseline:
        client.get(page)
    grow(5)
    with django_assert_num_queries(len(baseline.captured_queries)):
        response = client.get(page)
    assert len(response.context["rows"]) == 6
