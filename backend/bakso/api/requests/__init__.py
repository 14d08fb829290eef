from . import printed  # noqa: F401  (its routes join the blueprint)
from .views import bp

__all__ = ["bp"]
