"""Intrathecal baclofen (ITB): screening, dosing, pump catalogue, programs, reservoir, refills.

Modules
-------
screening
    The 50 -> 75 -> 100 mcg test-dose trial and what comes next ([S1] [S38] [S41]).
dosing
    Initial infusion dose, titration and refill-visit adjustment ranges, maintenance ranges ([S2] [S40]).
pumps
    Pump catalogue as cited data (SynchroMed II, Prometra II) with named settings.
programs
    Simple continuous, flex and periodic-bolus programs; daily dose and mL/day.
reservoir
    Reservoir forecast: empty, low-reservoir, recommended-refill, stability and battery dates.
refill
    Refill-visit reconciliation, discrepancy trend and refill volume.
concentration
    Concentration change with the bridge bolus, arithmetic shown.
transition
    Oral -> intrathecal transition: the oral taper alongside ITB titration.
dates
    Exact calendar arithmetic (months, years, leap years).
"""
