"""The web channel: a chat page for respondents and results pages for the ELP team (Starlette + uvicorn)."""
