"""The demo seed: running it again adds nothing, also after its texts were edited."""

from feedback.classifier import get_classifier
from feedback.models import Channel
from feedback.services.demo import seed_demo_centers
from feedback.services.demo_cases import DEMO_FEEDBACK, seed_demo_feedback
from feedback.services.submit import FeedbackInput, submit_feedback
from feedback.services.triage import TriageRules


def test_seeding_again_after_a_demo_text_changed_keeps_what_was_seeded(app_ctx):
    seed_demo_centers()
    center, service, rating, language, _comment, _contact = DEMO_FEEDBACK[0]
    earlier = FeedbackInput(center_code=center, service_code=service, rating=rating, language=language,
                            comment="An older wording of the first demo comment")
    submit_feedback(earlier, channel=Channel.qr, classifier=get_classifier(), rules=TriageRules(),
                    idempotency_key="demo-feedback-000")
    assert seed_demo_feedback(classifier=get_classifier(), rules=TriageRules()) == len(DEMO_FEEDBACK) - 1
    assert seed_demo_feedback(classifier=get_classifier(), rules=TriageRules()) == 0
