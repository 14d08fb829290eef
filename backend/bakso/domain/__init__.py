"""The pure core of BAKSO: rules about people, documents and requests.

Nothing in this package imports Flask, boto3 or sqlite3, so the rules can be
tested with plain objects and reused by every adapter set.
"""
