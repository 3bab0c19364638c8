"""ecom_ai's models, collected from the feature packages (Django finds an app's models here)."""
from ecom_ai.campaigns.models import BannedTerm, Campaign, CampaignCopy
from ecom_ai.feedback.models import FeedbackAspect, FeedbackSummary, ImprovementAction
from ecom_ai.impact.models import Experiment, ImpactEvent, ImpactReport
from ecom_ai.inquiries.models import ApprovedReply, Inquiry, ReplyDraft
from ecom_ai.jobs.models import AIJob, AIJobItem
from ecom_ai.recommendations.models import CategoryPolicy, RecommendationRule, RecommendationSet, ServedList
from ecom_ai.training.models import TrainingRun

__all__ = ["AIJob", "AIJobItem", "Inquiry", "ReplyDraft", "ApprovedReply", "RecommendationSet", "RecommendationRule",
           "CategoryPolicy", "Campaign", "CampaignCopy", "BannedTerm", "FeedbackSummary", "FeedbackAspect", "TrainingRun",
           "ImpactEvent", "Experiment", "ImpactReport", "ImprovementAction", "ServedList"]
