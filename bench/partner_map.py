"""Partner-map scenarios: 500-node maps over HTTP — ego maps around random partners and around
the largest one, the whole ecosystem by influence, a filtered one, and one seen by a partner —
against the center's lookup through the driver (a Bolt round trip: the map's own queries are
several, read hop by hop)."""

from __future__ import annotations

import random

from neo4j import Driver

from bench.overlap import largest
from bench.scenarios import Args, Scenario, _read
from resolvers.node import encode_id

FIELDS = """nodes { id key label kind tier type region size sizeKnown influence community distance }
    edges { source target kind weight } truncated"""
EGO = f"""query($center: ID!) {{ partnerMap(center: $center, limit: 500) {{ {FIELDS} }} }}"""
FILTERED = f"""query($tiers: [Tier!]) {{
  partnerMap(limit: 500, filter: {{tier: $tiers}}) {{ {FIELDS} }} }}"""
LOOKUP = "MATCH (p:Partner {key: $key}) RETURN p.key AS key"
ANY = "MATCH (p:Partner) RETURN p.key AS key ORDER BY key LIMIT 1"


def _keys(driver: Driver, database: str) -> list[str]:
    records = _read(driver, database, "MATCH (p:Partner) RETURN p.key AS key")
    return sorted(record["key"] for record in records)


def random_centers(driver: Driver, database: str, rng: random.Random) -> list[Args]:
    return [{"key": key} for key in rng.sample(_keys(driver, database), 30)]


def largest_center(driver: Driver, database: str, rng: random.Random) -> list[Args]:
    return [{"key": largest(driver, database, 1)[0]}]


def everyone(driver: Driver, database: str, rng: random.Random) -> list[Args]:
    return [{"tiers": None}]


def gold_and_platinum(driver: Driver, database: str, rng: random.Random) -> list[Args]:
    return [{"tiers": ["GOLD", "PLATINUM"]}]


def _ego(args: Args) -> Args:
    return {"center": encode_id("Partner", args["key"])}


MAP_SCENARIOS = (
    Scenario(
        name="map ego 500",
        graphql=EGO,
        cypher=LOOKUP,
        pick=random_centers,
        note="partnerMap around 30 random partners, depth 2, limit 500, minOverlap 1",
        variables=_ego,
        needs_analysis=True,
    ),
    Scenario(
        name="map ego largest",
        graphql=EGO,
        cypher=LOOKUP,
        pick=largest_center,
        note="partnerMap around the partner with the most accounts, depth 2, limit 500",
        variables=_ego,
        needs_analysis=True,
    ),
    Scenario(
        name="map ecosystem 500",
        graphql=FILTERED,
        cypher=ANY,
        pick=everyone,
        note="partnerMap without a center: the 500 most influential partners",
        variables=lambda args: {"tiers": args["tiers"]},
        params=lambda args: {},
        needs_analysis=True,
    ),
    Scenario(
        name="map gold 500",
        graphql=FILTERED,
        cypher=ANY,
        pick=gold_and_platinum,
        note="partnerMap without a center, filtered: the 500 most influential gold and platinum",
        variables=lambda args: {"tiers": args["tiers"]},
        params=lambda args: {},
        needs_analysis=True,
    ),
    Scenario(
        name="map ego 500 as partner",
        graphql=EGO,
        cypher=LOOKUP,
        pick=random_centers,
        note="the ego maps above asked with the center's own partner token",
        variables=_ego,
        partner=lambda args: args["key"],
        needs_analysis=True,
    ),
)
