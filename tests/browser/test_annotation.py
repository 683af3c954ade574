"""Two annotators label the same messages with the keyboard in a real browser; the batch report's kappa
equals a hand computation."""

import pytest
from django.contrib.auth.models import Group

from apps.core.testing import purposes_switched_on
from apps.validation import services
from apps.validation.models import Annotation, AnnotationItem
from apps.validation.tests.factories import scored_message
from tests.browser.conftest import sign_in
from tests.factories import AccountFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

# keys per batch position: 1 anger, 2 disgust, 3 fear, 4 joy, 5 neutral, 6 sadness, 7 surprise
ANN = {1: "1", 2: "47", 3: "4", 4: "5"}
BOB = {1: "1", 2: "4", 3: "1", 4: "5"}


def _label_everything(page, keys: dict[int, str], positions: dict[int, int], *, undo_first: bool = False) -> None:
    page.goto("/validation/annotate/")
    done = 0
    while done < len(keys):
        form = page.locator("#annotate-form")
        form.wait_for()
        item_id = int(form.get_attribute("data-item"))
        if undo_first and done == 0:
            page.keyboard.press("2")  # a slip: disgust
            with page.expect_navigation():
                page.keyboard.press("Enter")
            page.get_by_text("Saved.").wait_for()
            with page.expect_navigation():
                page.keyboard.press("u")  # take it back: the same message comes again
            page.get_by_text("Your last answer was taken back").wait_for()
            assert int(page.locator("#annotate-form").get_attribute("data-item")) == item_id
            undo_first = False
        for key in keys[positions[item_id]]:
            page.keyboard.press(key)
        with page.expect_navigation():  # the server saves it and serves the next message
            page.keyboard.press("Enter")
        page.get_by_text("Saved.").wait_for()
        done += 1
    page.get_by_role("heading", name="Nothing left to label").wait_for()


def test_two_annotators_label_with_the_keyboard_and_the_report_shows_their_kappa(page):
    purposes_switched_on("quality_assurance")
    annotators = Group.objects.get(name="Annotator")
    for name in ("ann", "bob"):
        UserFactory(username=name).groups.add(annotators)
    UserFactory(username="lead").groups.add(Group.objects.get(name="CX Analyst"))
    account = AccountFactory()
    for n in range(4):
        scored_message(account, text=f"Customer message number {n}: the invoice is wrong again.")
    batch = services.batch_create(name="Browser batch", strategy="random", size=4, seed=3)
    positions = dict(AnnotationItem.objects.filter(batch=batch).values_list("pk", "position"))

    sign_in(page, "ann")
    page.get_by_role("button", name="Sign out ann").wait_for()
    _label_everything(page, ANN, positions)
    page.get_by_role("button", name="Sign out ann").click()

    sign_in(page, "bob")
    page.get_by_role("button", name="Sign out bob").wait_for()
    _label_everything(page, BOB, positions, undo_first=True)
    page.get_by_role("button", name="Sign out bob").click()

    by_position = {
        (a.annotator.username, a.item.position): a.labels
        for a in Annotation.objects.select_related("annotator", "item")
    }
    assert by_position[("ann", 2)] == ["joy", "surprise"]  # first key pressed is the main label
    assert by_position[("bob", 1)] == ["anger"]  # the undone slip is gone
    assert len(by_position) == 8

    # Hand computation. Primary labels: ann anger joy joy neutral; bob anger joy anger neutral.
    # po = 3/4; pe = (ann, bob) counts anger (1, 2), joy (2, 1), neutral (1, 1) → (2 + 2 + 1) / 16 = 5/16
    primary_kappa = (3 / 4 - 5 / 16) / (1 - 5 / 16)
    # anger present: ann T F F F, bob T F T F → po 3/4, pe (1*2 + 3*2) / 16 = 1/2
    anger_kappa = (3 / 4 - 1 / 2) / (1 - 1 / 2)

    sign_in(page, "lead")
    page.get_by_role("button", name="Sign out lead").wait_for()
    page.goto(f"/validation/batches/{batch.pk}/")
    page.get_by_role("heading", name="Browser batch: agreement").wait_for()
    assert page.locator("tr[data-label=primary] td.kappa").inner_text() == f"{primary_kappa:.3f}" == "0.636"
    assert page.locator("tr[data-label=anger] td.kappa").inner_text() == f"{anger_kappa:.3f}" == "0.500"
    assert page.locator("tr[data-label=surprise] td.kappa").inner_text() == "0.000"
