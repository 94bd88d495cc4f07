"""Azerbaijan's national childhood vaccination calendar (simplified to the doses a cabinet shows)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Dose:
    vaccine: str
    dose: int
    # the child's age in days when the dose is due
    age_days: int


NATIONAL_SCHEDULE: tuple[Dose, ...] = (
    Dose('Hepatit B (VHB)', 1, 0),
    Dose('Vərəm (BCG)', 1, 3),
    Dose('Göy öskürək, difteriya, tetanus, Hib, hepatit B (DTaP-Hib-HepB)', 1, 60),
    Dose('Poliomielit (İPV)', 1, 60),
    Dose('Pnevmokokk (PCV)', 1, 60),
    Dose('Rotavirus', 1, 60),
    Dose('Göy öskürək, difteriya, tetanus, Hib, hepatit B (DTaP-Hib-HepB)', 2, 90),
    Dose('Poliomielit (OPV)', 2, 90),
    Dose('Rotavirus', 2, 90),
    Dose('Göy öskürək, difteriya, tetanus, Hib, hepatit B (DTaP-Hib-HepB)', 3, 120),
    Dose('Poliomielit (OPV)', 3, 120),
    Dose('Pnevmokokk (PCV)', 2, 120),
    Dose('Qızılca, məxmərək, parotit (MMR)', 1, 365),
    Dose('Pnevmokokk (PCV)', 3, 365),
    Dose('Göy öskürək, difteriya, tetanus (DTaP)', 4, 548),
    Dose('Poliomielit (OPV)', 4, 548),
    Dose('Qızılca, məxmərək, parotit (MMR)', 2, 6 * 365),
    Dose('Difteriya, tetanus (DT)', 5, 6 * 365),
    Dose('İnsan papilloma virusu (HPV)', 1, 9 * 365),
)
