#!/usr/bin/env python3
"""Writes the demonstration market's sample allocation and compliance data (deterministic, seed 2017).

facilities_2017.csv: about fifty covered firms (power, cement, aluminium, one heat-only plant, one
paper mill on the generic intensity method) with realistic magnitudes (a 600 MW unit supplies
~3,000,000 MWh a year); verified_emissions_2016.csv / _2017.csv: each firm's verified emissions,
spread around its allocation so the market has both short and long firms. Rerun to regenerate:
    python3 registry/data/sample/make_sample.py
"""
import os
import random
from decimal import Decimal as D

rng = random.Random(2017)
HERE = os.path.dirname(os.path.abspath(__file__))
COLS = ["firm", "unit", "sector", "class", "fuel", "cooling", "heat_ratio",
        "calorific_kcal_per_kg", "base_output", "base_heat_gj", "base_waste_t", "actual_output",
        "actual_heat_gj", "actual_waste_t", "intensity", "hist_emissions_t", "decline_factor"]
BENCH = {"usc_1000mw": D("0.8066"), "usc_600mw": D("0.8267"), "sc_600mw": D("0.8610"),
         "sc_300mw": D("0.8748"), "subcritical_600mw": D("0.8928"),
         "subcritical_300mw": D("0.9266"), "hp_below_300mw": D("1.0177"),
         "cfb_igcc_300mw_plus": D("0.9565"), "cfb_igcc_below_300mw": D("1.1597"),
         "gas_f_class": D("0.3795"), "gas_below_f_class": D("0.5192")}
# class -> (fuel, typical MWh supplied a year)
POWER = {"usc_1000mw": ("coal", 5_200_000), "usc_600mw": ("coal", 3_100_000),
         "sc_600mw": ("coal", 3_000_000), "sc_300mw": ("coal", 1_550_000),
         "subcritical_600mw": ("coal", 2_900_000), "subcritical_300mw": ("coal", 1_500_000),
         "hp_below_300mw": ("coal", 750_000), "cfb_igcc_300mw_plus": ("coal", 1_500_000),
         "cfb_igcc_below_300mw": ("coal", 600_000), "gas_f_class": ("gas", 1_900_000),
         "gas_below_f_class": ("gas", 600_000)}

rows, final_t = [], {}


def add(firm, t):
    final_t[firm] = final_t.get(firm, D(0)) + t


def power_firm(i):
    firm = f"GDPWR{i:02d}"
    classes = list(POWER)
    for u in range(1 + (i % 3 == 0)):
        cls = classes[(i + u * 5) % len(classes)]
        fuel, mwh = POWER[cls]
        base = int(mwh * rng.uniform(0.9, 1.1))
        actual = int(base * rng.uniform(0.9, 1.12))
        ratio = D(0) if rng.random() < 0.6 else D(rng.randint(5, 30)) / 100
        heat = int(ratio / (1 - ratio) * base * D("3.6") * D("0.3"))
        cooling = "air" if rng.random() < 0.15 else "water"
        kcal = rng.choice([2600, 2850, 3100, 3400]) if cls.startswith("cfb") else ""
        rows.append({"firm": firm, "unit": f"U{u + 1}", "sector": "power", "class": cls,
                     "fuel": fuel, "cooling": cooling, "heat_ratio": str(ratio),
                     "calorific_kcal_per_kg": kcal, "base_output": base, "base_heat_gj": heat,
                     "actual_output": actual, "actual_heat_gj": heat})
        coef = D("0.25") if fuel == "coal" else D("0.6")
        cal = D("1.03") if kcal != "" and kcal < 3000 else D(1)
        cool = D("1.05") if cooling == "air" else D(1)
        hb = D("0.1118") if fuel == "coal" else D("0.0602")
        add(firm, actual * BENCH[cls] * cool * (1 - coef * ratio) * cal + heat * hb)


def cement_firm(i):
    firm = f"GDCEM{i:02d}"
    clinker = int(rng.uniform(1_000_000, 3_000_000))
    actual = int(clinker * rng.uniform(0.9, 1.1))
    # includes the band boundaries 30 kt, 50 kt and 100 kt exactly
    waste = [0, 0, 12_000, 30_000, 42_000, 50_000, 75_000, 100_000, 130_000][i % 9]
    rows.append({"firm": firm, "unit": "K1", "sector": "cement", "class": "clinker",
                 "base_output": clinker, "base_waste_t": waste, "actual_output": actual,
                 "actual_waste_t": waste})
    up = D("0.03") if waste >= 100_000 else D("0.02") if waste >= 50_000 else (
        D("0.01") if waste >= 30_000 else D(0))
    add(firm, actual * D("0.8534") * (1 + up))


def aluminium_firm(i):
    firm = f"GDALU{i:02d}"
    t = int(rng.uniform(100_000, 450_000))
    actual = int(t * rng.uniform(0.92, 1.08))
    rows.append({"firm": firm, "unit": "P1", "sector": "aluminium", "class": "liquid_aluminium",
                 "base_output": t, "actual_output": actual})
    add(firm, actual * D("9.1132"))


for i in range(1, 25):
    power_firm(i)
for i in range(1, 17):
    cement_firm(i)
for i in range(1, 11):
    aluminium_firm(i)
rows.append({"firm": "GDHEAT01", "unit": "B1", "sector": "heat", "class": "heat_coal",
             "fuel": "coal", "base_output": 2_000_000, "actual_output": 2_150_000})
add("GDHEAT01", 2_150_000 * D("0.1118"))
rows.append({"firm": "GDPAP01", "unit": "M1", "sector": "other", "class": "intensity",
             "base_output": 400_000, "actual_output": 420_000, "intensity": "0.612345",
             "decline_factor": "0.98"})
add("GDPAP01", 420_000 * D("0.612345") * D("0.98"))

with open(os.path.join(HERE, "facilities_2017.csv"), "w") as f:
    f.write("# Sample facilities of the demonstration market, allocation year 2017, table\n")
    f.write("# national-2017-draft. Generated by make_sample.py (seed 2017). Base year 2016.\n")
    f.write(",".join(COLS) + "\n")
    for r in rows:
        f.write(",".join(str(r.get(c, "")) for c in COLS) + "\n")

for year, lo, hi in ((2016, 0.93, 1.03), (2017, 0.94, 1.10)):
    with open(os.path.join(HERE, f"verified_emissions_{year}.csv"), "w") as f:
        f.write(f"# Verified emissions {year} of the sample firms (tCO2e). make_sample.py\n")
        f.write("firm,year,verified_emissions_t\n")
        for firm in sorted(final_t):
            f.write(f"{firm},{year},{int(final_t[firm] * D(str(round(rng.uniform(lo, hi), 4))))}\n")
