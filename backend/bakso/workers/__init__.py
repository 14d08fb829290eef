"""Queue consumers: the same handlers run in-process locally and on Lambda behind SQS."""
