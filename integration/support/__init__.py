"""Helpers of the integration suite, one concern per module."""
