"""Creator discovery: merchants find creators to send offers to (topic, followers, engagement)."""
