// The GraphQL client: every question the page asks, typed, and one error type for refusals.
import { Client, CombinedError, fetchExchange, gql } from "@urql/core";
import type {
  InfluencePath,
  MapArguments,
  NodeDetails,
  PartnerHit,
  PartnerMap,
  PartnerOverlap,
  TierReview,
} from "./types";

/** A refusal or failure, with the API's `extensions.code` (NETWORK when no answer came). */
export class ApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

const PARTNER_MAP = gql`
  query PartnerMap($center: ID, $depth: Int, $limit: Int, $minOverlap: Int, $filter: PartnerFilter) {
    partnerMap(center: $center, depth: $depth, limit: $limit, minOverlap: $minOverlap, filter: $filter) {
      truncated
      nodes { id key label kind tier type region size sizeKnown influence community distance }
      edges { source target kind weight }
    }
  }
`;

const SEARCH = gql`
  query SearchPartners($text: String!, $first: Int!) {
    partners(first: $first, filter: { nameContains: $text }) {
      nodes { id key name tier type region }
    }
  }
`;

const DETAILS = gql`
  query NodeDetails($id: ID!) {
    node(id: $id) {
      __typename
      id
      ... on Partner { key name type tier region country industries stage influence community }
      ... on Customer { key name domain industry region employees }
      ... on Solution { key name industry launchedOn }
    }
  }
`;

const TIER_REVIEW = gql`
  query TierReview($id: ID!) {
    node(id: $id) {
      ... on Partner { tierReview { current qualified change sales wonDeals nextTier salesToNext dealsToNext } }
    }
  }
`;

const TOP_OVERLAPS = gql`
  query TopOverlaps($partner: ID!, $first: Int!) {
    topOverlaps(partner: $partner, first: $first) { partner { id name } count jaccard }
  }
`;

const PATHS = gql`
  query InfluencePaths($from: ID!, $to: ID!, $first: Int!) {
    influencePaths(from: $from, to: $to, first: $first) {
      influence
      hops
      steps { node { id } key label kind via strength }
    }
  }
`;

const COMMUNITIES = gql`
  query Communities { ecosystem { communities } }
`;

export class Api {
  private readonly client: Client;

  constructor(token: () => string | null, url = "/graphql") {
    this.client = new Client({
      url,
      exchanges: [fetchExchange],
      requestPolicy: "network-only",
      preferGetMethod: false,
      fetchOptions: (): RequestInit => {
        const bearer = token();
        const headers: Record<string, string> = bearer ? { Authorization: `Bearer ${bearer}` } : {};
        return { headers };
      },
    });
  }

  async partnerMap(args: MapArguments): Promise<PartnerMap> {
    const data = await this.ask<{ partnerMap: PartnerMap }>(PARTNER_MAP, { ...args });
    return data.partnerMap;
  }

  async searchPartners(text: string, first = 8): Promise<PartnerHit[]> {
    const data = await this.ask<{ partners: { nodes: PartnerHit[] } }>(SEARCH, { text, first });
    return data.partners.nodes;
  }

  async details(id: string): Promise<NodeDetails | null> {
    const data = await this.ask<{ node: NodeDetails | null }>(DETAILS, { id });
    return data.node;
  }

  /** A partner's tier review as of today (a partner token may ask only for its own). */
  async tierReview(partner: string): Promise<TierReview | null> {
    const data = await this.ask<{ node: { tierReview?: TierReview | null } | null }>(TIER_REVIEW, { id: partner });
    return data.node?.tierReview ?? null;
  }

  async topOverlaps(partner: string, first = 5): Promise<PartnerOverlap[]> {
    const data = await this.ask<{ topOverlaps: PartnerOverlap[] }>(TOP_OVERLAPS, { partner, first });
    return data.topOverlaps;
  }

  async influencePaths(from: string, to: string, first = 3): Promise<InfluencePath[]> {
    const data = await this.ask<{ influencePaths: InfluencePath[] }>(PATHS, { from, to, first });
    return data.influencePaths;
  }

  async communities(): Promise<number | null> {
    const data = await this.ask<{ ecosystem: { communities: number | null } }>(COMMUNITIES, {});
    return data.ecosystem.communities;
  }

  private async ask<T>(query: ReturnType<typeof gql>, variables: Record<string, unknown>): Promise<T> {
    const result = await this.client.query(query, variables).toPromise();
    if (result.error) throw toApiError(result.error);
    if (!result.data) throw new ApiError("NETWORK", "the API sent no answer");
    return result.data as T;
  }
}

function toApiError(error: CombinedError): ApiError {
  const first = error.graphQLErrors[0];
  if (first) {
    const code = first.extensions?.code;
    return new ApiError(typeof code === "string" ? code : "ERROR", first.message);
  }
  const status = error.response instanceof Response ? error.response.status : 0;
  if (status === 401) return new ApiError("UNAUTHENTICATED", "token missing or expired");
  return new ApiError("NETWORK", `cannot reach the API (${error.networkError?.message ?? "no answer"})`);
}
