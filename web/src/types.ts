// The shapes the page reads from the partnergraph GraphQL API (see schema.graphql).

export type Tier = "REGISTERED" | "SILVER" | "GOLD" | "PLATINUM";
export type PartnerType =
  | "RESELLER"
  | "DISTRIBUTOR"
  | "SYSTEM_INTEGRATOR"
  | "TECHNOLOGY"
  | "MSP"
  | "REFERRAL"
  | "OEM";
export type NodeKind = "Partner" | "Customer" | "Solution";
export type EdgeKind =
  | "SUB_PARTNER_OF"
  | "CO_SELLS_WITH"
  | "REFERS_TO"
  | "INTEGRATES_WITH"
  | "CO_CREATED"
  | "HAS_ACCOUNT"
  | "OVERLAP";

export const TIERS: readonly Tier[] = ["PLATINUM", "GOLD", "SILVER", "REGISTERED"];
export const PARTNER_TYPES: readonly PartnerType[] = [
  "RESELLER",
  "DISTRIBUTOR",
  "SYSTEM_INTEGRATOR",
  "TECHNOLOGY",
  "MSP",
  "REFERRAL",
  "OEM",
];

export interface MapNode {
  id: string;
  key: string;
  label: string;
  kind: NodeKind;
  tier: Tier | null;
  type: PartnerType | null;
  region: string | null;
  size: number;
  sizeKnown: boolean;
  influence: number | null;
  community: number | null;
  distance: number | null;
}

export interface MapEdge {
  source: string;
  target: string;
  kind: EdgeKind;
  weight: number;
}

export interface PartnerMap {
  nodes: MapNode[];
  edges: MapEdge[];
  truncated: boolean;
}

export interface PartnerFilter {
  type?: PartnerType[];
  tier?: Tier[];
  region?: string[];
  community?: number[];
}

export interface MapArguments {
  center: string | null;
  depth: number;
  limit: number;
  minOverlap: number;
  filter: PartnerFilter;
}

export interface PartnerHit {
  id: string;
  key: string;
  name: string;
  tier: Tier;
  type: PartnerType;
  region: string | null;
}

export interface NodeDetails {
  __typename: NodeKind;
  id: string;
  key: string;
  name: string;
  // Partner
  type?: PartnerType;
  tier?: Tier;
  country?: string | null;
  industries?: string[];
  stage?: string | null;
  influence?: number | null;
  community?: number | null;
  // Customer
  domain?: string | null;
  employees?: number | null;
  // Customer, Solution
  industry?: string | null;
  launchedOn?: string | null;
  // Partner, Customer
  region?: string | null;
}

export interface TierReview {
  current: string;
  qualified: string;
  change: "UPGRADE" | "DOWNGRADE" | "HOLD";
  sales: number;
  wonDeals: number;
  nextTier: string | null;
  salesToNext: number | null;
  dealsToNext: number | null;
}

export interface PartnerOverlap {
  partner: { id: string; name: string };
  count: number;
  jaccard: number;
}

export interface PathStep {
  node: { id: string };
  key: string;
  label: string;
  kind: NodeKind;
  via: string | null;
  strength: number | null;
}

export interface InfluencePath {
  influence: number;
  hops: number;
  steps: PathStep[];
}
