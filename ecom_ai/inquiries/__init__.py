"""Customer inquiries: understanding the question, grounding it in the shop's facts, drafting a reply for a human."""
