"""Layanan SPBE: service management for Indonesian regional governments."""

from spbe.celery import app as celery_app

__all__ = ["celery_app"]
