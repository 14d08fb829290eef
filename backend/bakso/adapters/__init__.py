"""Implementations of the ports: `local` (SQLite and a folder) and `aws` (DynamoDB, S3, SQS)."""
