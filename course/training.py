"""What a quick training run returns, for both frameworks (no framework import)."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass
class TrainResult:
    losses: list
    device: str
    seconds: float
    steps: int

    def __str__(self):
        return (f"trained {self.steps} steps on {self.device} in {self.seconds:.1f} s: "
                f"loss {self.losses[0]:.4f} -> {self.losses[-1]:.4f}")
