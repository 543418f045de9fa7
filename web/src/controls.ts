// The form on the left: what map to ask for, and how to draw it.
import { byId } from "./dom";
import type { ColorBy, SizeBy } from "./graph";
import type { MapArguments, PartnerFilter, PartnerType, Tier } from "./types";

export const DEFAULTS = { depth: 2, limit: 500, minOverlap: 1 } as const;

export interface Appearance {
  colorBy: ColorBy;
  sizeBy: SizeBy;
}

function whole(id: string, fallback: number): number {
  const value = byId<HTMLInputElement | HTMLSelectElement>(id).value.trim();
  if (!/^-?\d+$/.test(value)) return fallback; // left empty: the default; out of range: the API says so
  return Number(value);
}

export function readArguments(center: string | null): MapArguments {
  const filter: PartnerFilter = {};
  const type = byId<HTMLSelectElement>("filter-type").value;
  const tier = byId<HTMLSelectElement>("filter-tier").value;
  const region = byId<HTMLInputElement>("filter-region").value.trim();
  const community = byId<HTMLInputElement>("filter-community").value.trim();
  if (type) filter.type = [type as PartnerType];
  if (tier) filter.tier = [tier as Tier];
  if (region) filter.region = region.split(",").map((part) => part.trim()).filter(Boolean);
  if (/^\d+$/.test(community)) filter.community = [Number(community)];
  return {
    center,
    depth: whole("depth", DEFAULTS.depth),
    limit: whole("limit", DEFAULTS.limit),
    minOverlap: whole("min-overlap", DEFAULTS.minOverlap),
    filter,
  };
}

export function readAppearance(): Appearance {
  const form = byId<HTMLFormElement>("controls");
  const colorBy = (new FormData(form).get("colorBy") as ColorBy | null) ?? "tier";
  const sizeBy = (new FormData(form).get("sizeBy") as SizeBy | null) ?? "accounts";
  return { colorBy, sizeBy };
}

export function isAppearanceField(target: EventTarget | null): boolean {
  return target instanceof HTMLInputElement && (target.name === "colorBy" || target.name === "sizeBy");
}
