/**
 * Checks every field of `GET /experiments/{id}/results` and
 * `GET /experiments/{id}/report` against a brute-force reference, under
 * each query option: windows, event types, segments, segment filters,
 * value metrics, time series and confidence.
 *
 * One seeded data set is sent through the typed client: users in three
 * variants, events of several types around each user's assignment (some
 * exactly on the bounds of the windows asked for), repeated event ids,
 * and noise that must not count: another tenant's events for the same
 * user ids, an unassigned user, another experiment of the same users.
 * One event type is sent by every user of one variant and by nobody
 * else, so that some differences are significant. The reference keeps
 * the events the service stores for the tenant (the first of each event
 * id) and recounts every figure user by user in plain TypeScript.
 *
 * Each case checks the answer twice. First its counts, one by one, so a
 * wrong count fails with a clear message; only the interval of a value
 * metric's mean comes from the domain's `valueMean`, fed with the
 * reference's sums, so that the sum of squares behind it is checked too.
 * Then the whole answer: the reference's counts are laid out as the
 * repositories return them (per variant and segment, with value sums and
 * sums of squares) and passed through the same pure domain functions the
 * services call, and every field of the answer must equal the result
 * (but the report's `generated_at`, which must fall within the request).
 * The statistics themselves are checked against scipy and statsmodels in
 * test/domain/; here the wiring from counts to JSON is. Numbers may
 * differ by 1e-9 relative, since SQL adds the values in another order;
 * strings, booleans, nulls, keys and lengths must match exactly.
 *
 * @module
 */
import { isDeepStrictEqual } from "node:util";
import { assert, layer } from "@effect/vitest";
import { Context, Effect, Layer } from "effect";
import type { NewEvent } from "../../src/api/events.ts";
import type { Analysis, Report, ReportQuery } from "../../src/api/report.ts";
import type { ResultsQuery as ResultsQuerySchema } from "../../src/api/results.ts";
import type { ExperimentsClient } from "../../src/client/mod.ts";
import { valueMean } from "../../src/domain/analysis.ts";
import {
  analyse,
  buildTimeSeries,
  type PeriodCount,
  type ReportCounts,
  type ReportVariant,
  splitSegments,
  summarize,
} from "../../src/domain/report.ts";
import { buildResultRows } from "../../src/domain/results.ts";
import { clientFor, TOKENS, testServer, unique } from "../support/harness.ts";

const SEED = 20_261_027;
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const SPREAD = 3 * DAY;
const WINDOW = 30 * HOUR;
const CONFIDENCE = 0.95;
const EXPERIMENT_NAME = "Reference counts";

const USERS = 72;
const FIRST_WAVE = 48;
const SHARED_WITH_DECOY = 8;
const DECOY_ONLY = 5;
const EDGE_USERS = 10;
const SEGMENT_LIMIT = 20;

const VARIANTS = [
  { name: "control", traffic_allocation: 34 },
  { name: "blue", traffic_allocation: 33 },
  { name: "green", traffic_allocation: 33 },
];

const MAIN_COUNTRIES = ["DE", "DE", "DE", "FR", "FR", "US", "US", "GB"];
const RARE_COUNTRIES = [
  ..."AT BE CH CZ DK EE FI GR HR HU IE IS".split(" "),
  ..."IT LT LU LV NL NO PL PT RO SE SI SK".split(" "),
];
const PLANS = ["free", "pro", "team"];
const SHAPED_TYPES = ["purchase", "view", "signup"];
const VALUE_METRICS = ["purchase:amount", "view:seconds"];

/** Sent by every user of one variant and nobody else: a sure lift. */
const LIFTED = { type: "upgrade", variant: "green" };

type Random = () => number;

/** A seeded generator of numbers in [0, 1): mulberry32. */
const seeded = (seed: number): Random => {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let mixed = Math.imul(state ^ (state >>> 15), state | 1);
    mixed ^= mixed + Math.imul(mixed ^ (mixed >>> 7), mixed | 61);
    return ((mixed ^ (mixed >>> 14)) >>> 0) / 4_294_967_296;
  };
};

const below = (random: Random, n: number) => Math.floor(random() * n);

const pick = <A>(random: Random, items: ReadonlyArray<A>): A =>
  items[below(random, items.length)] as A;

const cents = (random: Random, max: number) =>
  Math.round(random() * max * 100) / 100;

type Attributes = Readonly<Record<string, string>>;
type Properties = Readonly<Record<string, unknown>>;
type Query = typeof ReportQuery.Type;
type ResultsQuery = typeof ResultsQuerySchema.Type;

/** An assigned user, as the assignment answered. */
interface Member {
  readonly user_id: string;
  readonly variant_name: string;
  readonly assigned_at: number;
  readonly attributes: Attributes | undefined;
}

/** An event as the test sent it, with the token it was sent with. */
interface SentEvent {
  readonly token: string;
  readonly user_id: string;
  readonly type: string;
  readonly at: number;
  readonly properties: Properties | undefined;
  readonly event_id: string | undefined;
}

/** The times the queries cut at, all in milliseconds. */
interface Bounds {
  /** A day before the last assignment. */
  readonly earlyFrom: number;
  /** Five hours after the last assignment. */
  readonly from: number;
  /** Forty hours after the last assignment. */
  readonly to: number;
  /** Between the two waves of assignments. */
  readonly cut: number;
}

interface DataSet {
  readonly experimentId: string;
  /**
   * As the domain takes them. The API hides the stored keys, which the
   * domain only uses to match counts to variants, so these are positions.
   */
  readonly variants: ReadonlyArray<ReportVariant>;
  readonly members: ReadonlyArray<Member>;
  readonly decoyMembers: ReadonlyArray<Member>;
  readonly sent: ReadonlyArray<SentEvent>;
  readonly bounds: Bounds;
}

const sentEvent = (
  user_id: string,
  type: string,
  at: number,
  properties?: Properties,
  event_id?: string,
): SentEvent => ({
  token: TOKENS.alpha,
  user_id,
  type,
  at,
  properties,
  event_id,
});

const toNewEvent = (event: SentEvent): typeof NewEvent.Type => ({
  user_id: event.user_id,
  type: event.type,
  timestamp: new Date(event.at),
  ...(event.properties === undefined ? {} : { properties: event.properties }),
  ...(event.event_id === undefined ? {} : { event_id: event.event_id }),
});

const chunksOf = <A>(items: ReadonlyArray<A>, size: number) =>
  Array.from({ length: Math.ceil(items.length / size) }, (_, i) =>
    items.slice(i * size, (i + 1) * size),
  );

const attributesFor = (random: Random, index: number) => {
  const country =
    random() < 0.55
      ? pick(random, MAIN_COUNTRIES)
      : pick(random, RARE_COUNTRIES);
  const plan = pick(random, PLANS);
  if (index % 9 === 4) return undefined;
  if (index % 9 === 7) return { plan };
  if (index % 9 === 2) return { country };
  return { country, plan };
};

const purchaseProperties = (random: Random): Properties | undefined => {
  const roll = random();
  if (roll < 0.15) return { currency: "EUR" };
  if (roll < 0.2) return undefined;
  if (roll < 0.25) return { amount: "12.5" };
  if (roll < 0.3) return { amount: true };
  if (roll < 0.35) return { amount: null };
  if (roll < 0.4) return { amount: { value: 3 } };
  if (roll < 0.48) return { amount: 0 };
  if (roll < 0.62) return { amount: -cents(random, 50) };
  if (roll < 0.85) return { amount: cents(random, 200) };
  return { amount: below(random, 300) };
};

const viewProperties = (random: Random): Properties | undefined => {
  const roll = random();
  if (roll < 0.2) return undefined;
  if (roll < 0.3) return { seconds: "long" };
  if (roll < 0.5) return { seconds: cents(random, 60) };
  return { seconds: below(random, 600), page: "home" };
};

const propertiesFor = (random: Random, type: string) => {
  if (type === "purchase") return purchaseProperties(random);
  if (type === "view") return viewProperties(random);
  return random() < 0.5 ? undefined : { plan: pick(random, PLANS) };
};

/** Offsets from the assignment: none, all before, all after, or both. */
const offsetsFor = (random: Random): ReadonlyArray<number> => {
  const before = () => -(1 + below(random, SPREAD));
  const after = () => below(random, SPREAD);
  const either = () => (random() < 0.5 ? before() : after());
  const count = 1 + below(random, 4);
  const shape = below(random, 9);
  if (shape < 2) return [];
  if (shape < 3) return Array.from({ length: count }, before);
  if (shape < 6) return Array.from({ length: count }, after);
  return [before(), after(), ...Array.from({ length: count - 1 }, either)];
};

/** For the first users, one time exactly on, or just past, a bound. */
const edgeTimes = (member: Member, bounds: Bounds) => [
  member.assigned_at - 1,
  member.assigned_at,
  member.assigned_at + WINDOW,
  member.assigned_at + WINDOW + 1,
  bounds.from,
  bounds.from - 1,
  bounds.to,
  bounds.to + 1,
  bounds.cut,
  bounds.cut + 1,
];

const memberEvents = (
  random: Random,
  member: Member,
  index: number,
): ReadonlyArray<SentEvent> =>
  SHAPED_TYPES.flatMap((type) =>
    index < EDGE_USERS && type !== "view"
      ? []
      : offsetsFor(random).map((offset) =>
          sentEvent(
            member.user_id,
            type,
            member.assigned_at + offset,
            propertiesFor(random, type),
          ),
        ),
  );

const edgeEvents = (member: Member, index: number, bounds: Bounds) => {
  const at = edgeTimes(member, bounds)[index] ?? member.assigned_at;
  return [
    sentEvent(member.user_id, "signup", at),
    sentEvent(member.user_id, "purchase", at, { amount: 100 + index }),
  ];
};

/** Purchases sent twice with one event id; only the first is stored. */
const retriedPurchases = (member: Member, index: number) => {
  const id = `${member.user_id}-order`;
  const inside = member.assigned_at + 2 * HOUR;
  const outside = member.assigned_at - 2 * HOUR;
  const [first, again] =
    index % 2 === 0 ? [inside, outside] : [outside, inside];
  return {
    first: sentEvent(member.user_id, "purchase", first, { amount: 50.25 }, id),
    again: sentEvent(member.user_id, "purchase", again, { amount: 70 }, id),
  };
};

const boundsOf = (
  firstWave: ReadonlyArray<Member>,
  secondWave: ReadonlyArray<Member>,
): Bounds => {
  const lastOfFirst = Math.max(...firstWave.map((m) => m.assigned_at));
  const firstOfSecond = Math.min(...secondWave.map((m) => m.assigned_at));
  const anchor = Math.max(lastOfFirst, ...secondWave.map((m) => m.assigned_at));
  return {
    earlyFrom: anchor - DAY,
    from: anchor + 5 * HOUR,
    to: anchor + 40 * HOUR,
    cut: lastOfFirst + Math.floor((firstOfSecond - lastOfFirst) / 2),
  };
};

const assignAll = (
  client: ExperimentsClient,
  experimentId: string,
  users: ReadonlyArray<{
    readonly user_id: string;
    readonly attributes: Attributes | undefined;
  }>,
) =>
  Effect.forEach(
    users,
    ({ user_id, attributes }) =>
      Effect.map(
        client.assignments.assign({
          path: { experiment_id: experimentId, user_id },
          payload: attributes === undefined ? {} : { attributes },
        }),
        (assignment): Member => ({
          user_id,
          variant_name: assignment.variant_name,
          assigned_at: assignment.created_at.getTime(),
          attributes,
        }),
      ),
    { concurrency: 8 },
  );

/**
 * Creates the experiment and a decoy, assigns the users in two waves
 * (after the decoy), sends every event, and returns what was sent.
 */
const populate = Effect.gen(function* () {
  const alpha = yield* clientFor(TOKENS.alpha);
  const beta = yield* clientFor(TOKENS.beta);
  const random = seeded(SEED);
  const prefix = unique("ref");
  const users = Array.from({ length: USERS }, (_, i) => ({
    user_id: `${prefix}-${i}`,
    attributes: attributesFor(random, i),
  }));
  const decoyOnly = Array.from({ length: DECOY_ONLY }, (_, i) => ({
    user_id: `${prefix}-decoy-${i}`,
    attributes: undefined,
  }));

  const experiment = yield* alpha.experiments.create({
    payload: { name: EXPERIMENT_NAME, status: "active", variants: VARIANTS },
  });
  const decoy = yield* alpha.experiments.create({
    payload: {
      name: "Reference decoy",
      status: "active",
      variants: [
        { name: "left", traffic_allocation: 50 },
        { name: "right", traffic_allocation: 50 },
      ],
    },
  });

  const decoyMembers = yield* assignAll(alpha, decoy.id, [
    ...users.slice(0, SHARED_WITH_DECOY),
    ...decoyOnly,
  ]);
  yield* Effect.sleep("20 millis");
  const firstWave = yield* assignAll(
    alpha,
    experiment.id,
    users.slice(0, FIRST_WAVE),
  );
  yield* Effect.sleep("200 millis");
  const secondWave = yield* assignAll(
    alpha,
    experiment.id,
    users.slice(FIRST_WAVE),
  );
  const members = [...firstWave, ...secondWave];
  const bounds = boundsOf(firstWave, secondWave);

  const retried = members
    .slice(EDGE_USERS, EDGE_USERS + 8)
    .map((member, i) => retriedPurchases(member, i));
  const batched = [
    ...members.flatMap((member, i) => memberEvents(random, member, i)),
    ...firstWave
      .filter((_, i) => i % 4 === 1)
      .map((m) =>
        sentEvent(
          m.user_id,
          "view",
          m.assigned_at + below(random, bounds.cut - m.assigned_at + 1),
          { seconds: 1 },
        ),
      ),
    ...members
      .filter((_, i) => i % 11 === 3)
      .map((m) => sentEvent(m.user_id, "refund", m.assigned_at - HOUR)),
    ...members
      .filter((m) => m.variant_name === LIFTED.variant)
      .map((m) => sentEvent(m.user_id, LIFTED.type, m.assigned_at + MINUTE)),
    ...decoyMembers.map((m) =>
      m.user_id.includes("-decoy-")
        ? sentEvent(m.user_id, "decoy_only", m.assigned_at + HOUR)
        : sentEvent(m.user_id, "early", m.assigned_at + 1),
    ),
    sentEvent(`${prefix}-stray`, "stray", bounds.from),
    sentEvent(`${prefix}-stray`, "purchase", bounds.from, { amount: 5 }),
    ...retried.map((pair) => pair.first),
  ];
  const singles = members
    .slice(0, EDGE_USERS)
    .flatMap((member, i) => edgeEvents(member, i, bounds));
  const retries = retried.map((pair) => pair.again);
  const otherTenant = members.flatMap((m) =>
    [
      sentEvent(m.user_id, "purchase", m.assigned_at + HOUR, { amount: 999 }),
      sentEvent(m.user_id, "signup", m.assigned_at + 2 * HOUR),
      sentEvent(m.user_id, "beta_only", m.assigned_at + HOUR),
    ].map((event) => ({ ...event, token: TOKENS.beta })),
  );

  for (const chunk of chunksOf(batched, 400)) {
    yield* alpha.events.recordBatch({
      payload: { events: chunk.map(toNewEvent) },
    });
  }
  for (const event of singles) {
    yield* alpha.events.record({ payload: toNewEvent(event) });
  }
  yield* alpha.events.recordBatch({
    payload: { events: retries.map(toNewEvent) },
  });
  yield* beta.events.recordBatch({
    payload: { events: otherTenant.map(toNewEvent) },
  });

  return {
    experimentId: experiment.id,
    variants: experiment.variants.map((variant, index) => ({
      key: index + 1,
      publicId: variant.id,
      name: variant.name,
      trafficAllocation: variant.traffic_allocation,
    })),
    members,
    decoyMembers,
    sent: [...batched, ...singles, ...retries, ...otherTenant],
    bounds,
  } satisfies DataSet;
});

class Populated extends Context.Tag("analysis_reference/Populated")<
  Populated,
  DataSet
>() {}

const PopulatedLive = Layer.effect(Populated, populate).pipe(
  Layer.provideMerge(testServer()),
);

/** The data the reference reads: one tenant's stored events by user. */
interface Reference {
  readonly variants: ReadonlyArray<string>;
  /** The same variants as the domain functions take them. */
  readonly keyedVariants: ReadonlyArray<ReportVariant>;
  readonly members: ReadonlyArray<Member>;
  readonly eventsOf: (userId: string) => ReadonlyArray<SentEvent>;
}

/** What the service keeps for a tenant: the first of each event id. */
const storedEvents = (sent: ReadonlyArray<SentEvent>, token: string) => {
  const seen = new Set<string>();
  return sent.filter((event) => {
    if (event.token !== token) return false;
    if (event.event_id === undefined) return true;
    if (seen.has(event.event_id)) return false;
    seen.add(event.event_id);
    return true;
  });
};

const referenceOf = (data: DataSet): Reference => {
  const byUser = new Map<string, Array<SentEvent>>();
  for (const event of storedEvents(data.sent, TOKENS.alpha)) {
    const list = byUser.get(event.user_id) ?? [];
    list.push(event);
    byUser.set(event.user_id, list);
  }
  return {
    variants: data.variants.map((variant) => variant.name),
    keyedVariants: data.variants,
    members: data.members,
    eventsOf: (userId) => byUser.get(userId) ?? [],
  };
};

const splitAtLastColon = (text: string) => {
  const at = text.lastIndexOf(":");
  return [text.slice(0, at), text.slice(at + 1)] as const;
};

/** Whether an event counts for the user under the query's window. */
const counts = (query: Query, member: Member, at: number) =>
  at >= member.assigned_at &&
  (query.from === undefined || at >= query.from.getTime()) &&
  (query.to === undefined || at <= query.to.getTime()) &&
  (query.conversion_window === undefined ||
    at <= member.assigned_at + query.conversion_window);

/** Whether the user is counted at all: assigned by `to`, filters met. */
const inScope = (query: Query, member: Member) =>
  (query.to === undefined || member.assigned_at <= query.to.getTime()) &&
  (query.segment ?? [])
    .map(splitAtLastColon)
    .every(([key, value]) => member.attributes?.[key] === value);

const countedEvents = (
  ref: Reference,
  query: Query,
  member: Member,
  type: string,
) =>
  ref
    .eventsOf(member.user_id)
    .filter((event) => event.type === type && counts(query, member, event.at));

const hasConverted = (
  ref: Reference,
  query: Query,
  member: Member,
  type: string,
) => countedEvents(ref, query, member, type).length > 0;

/** The asked types, or every type the counted users ever sent, sorted. */
const reportedTypes = (
  ref: Reference,
  query: Query,
  members: ReadonlyArray<Member>,
) =>
  query.event_type === undefined
    ? [
        ...new Set(
          members.flatMap((m) => ref.eventsOf(m.user_id).map((e) => e.type)),
        ),
      ].sort()
    : [...new Set(query.event_type)];

/** A user's total of a numeric property, and the values not numbers. */
const userValue = (
  ref: Reference,
  query: Query,
  member: Member,
  metric: string,
) => {
  const [type, property] = splitAtLastColon(metric);
  let total = 0;
  let skipped = 0;
  for (const event of countedEvents(ref, query, member, type)) {
    const properties = event.properties ?? {};
    if (!Object.hasOwn(properties, property)) continue;
    const value = properties[property];
    if (typeof value === "number") total += value;
    else skipped += 1;
  }
  return { total, skipped };
};

/** Value totals over users: what SQL adds up for a variant. */
const valueTotals = (
  ref: Reference,
  query: Query,
  users: ReadonlyArray<Member>,
  metric: string,
) => {
  const perUser = users.map((m) => userValue(ref, query, m, metric));
  return {
    sum: perUser.reduce((total, v) => total + v.total, 0),
    sumOfSquares: perUser.reduce((t, v) => t + v.total * v.total, 0),
    skipped: perUser.reduce((total, v) => total + v.skipped, 0),
  };
};

const confidenceOf = (query: Query) => query.confidence ?? CONFIDENCE;

const rateOf = (converted: number, users: number) =>
  users === 0 ? 0 : converted / users;

const expectedRows = (ref: Reference, query: Query) => {
  const members = ref.members.filter((m) => inScope(query, m));
  return reportedTypes(ref, query, members).flatMap((type) =>
    ref.variants.map((name) => {
      const users = members.filter((m) => m.variant_name === name);
      const converted = users.filter((m) =>
        hasConverted(ref, query, m, type),
      ).length;
      return [
        type,
        name,
        users.length,
        converted,
        rateOf(converted, users.length),
      ];
    }),
  );
};

/** A value metric's floating-point figures for one variant. */
interface Amount {
  readonly label: string;
  readonly total: number;
  readonly mean: number;
  readonly mean_ci: readonly [number, number] | null;
}

const expectedAnalysis = (
  ref: Reference,
  query: Query,
  members: ReadonlyArray<Member>,
  types: ReadonlyArray<string>,
) => {
  const groups = ref.variants.map(
    (name) => [name, members.filter((m) => m.variant_name === name)] as const,
  );
  const metrics = query.value_metric ?? [];
  const values = metrics.map((metric) =>
    groups.map(([name, users]) => {
      const { sum, sumOfSquares, skipped } = valueTotals(
        ref,
        query,
        users,
        metric,
      );
      const mean = valueMean(
        { users: users.length, sum, sumOfSquares },
        confidenceOf(query),
      );
      return {
        name,
        users: users.length,
        skipped,
        amount: {
          label: `${metric} ${name}`,
          total: sum,
          mean: users.length === 0 ? 0 : sum / users.length,
          mean_ci: mean.interval,
        },
      };
    }),
  );

  return {
    figures: {
      user_count: members.length,
      variants: groups.map(([name, users]) => [name, users.length]),
      conversions: types.map((type) => [
        type,
        groups.map(([name, users]) => {
          const converted = users.filter((m) =>
            hasConverted(ref, query, m, type),
          ).length;
          return [
            name,
            users.length,
            converted,
            rateOf(converted, users.length),
          ];
        }),
      ]),
      values: metrics.map((metric, i) => [
        metric,
        (values[i] ?? []).map((v) => [v.name, v.users, v.skipped]),
      ]),
    },
    amounts: values.flat().map((v): Amount => v.amount),
  };
};

/** The 20 largest values by users, the rest as (other), none as (none). */
const expectedSegments = (
  ref: Reference,
  query: Query,
  members: ReadonlyArray<Member>,
  types: ReadonlyArray<string>,
  attribute: string,
) => {
  const nameOf = (m: Member) => m.attributes?.[attribute] ?? "(none)";
  const sizes = new Map<string, number>();
  for (const member of members) {
    sizes.set(nameOf(member), (sizes.get(nameOf(member)) ?? 0) + 1);
  }
  const ranked = [...sizes]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .map(([name]) => name);
  const kept = ranked.slice(0, SEGMENT_LIMIT);
  const groupOf = (m: Member) =>
    kept.includes(nameOf(m)) ? nameOf(m) : "(other)";
  const groups = ranked.length > SEGMENT_LIMIT ? [...kept, "(other)"] : kept;

  return groups.map((value) => ({
    value,
    ...expectedAnalysis(
      ref,
      query,
      members.filter((m) => groupOf(m) === value),
      types,
    ),
  }));
};

type Granularity = "hour" | "day";

const stepOf = (granularity: Granularity) =>
  granularity === "hour" ? HOUR : DAY;

/** A user's assignment (no type) or first counted event of a type. */
interface Arrival {
  readonly variant: string;
  readonly type: string | null;
  /** The start of its period, in milliseconds. */
  readonly period: number;
}

const arrivalsOf = (
  ref: Reference,
  query: Query,
  members: ReadonlyArray<Member>,
  types: ReadonlyArray<string>,
  granularity: Granularity,
) => {
  const step = stepOf(granularity);
  const periodOf = (at: number) => Math.floor(at / step) * step;
  return members.flatMap(
    (member): ReadonlyArray<Arrival> => [
      {
        variant: member.variant_name,
        type: null,
        period: periodOf(member.assigned_at),
      },
      ...types.flatMap((type) => {
        const times = countedEvents(ref, query, member, type).map((e) => e.at);
        return times.length === 0
          ? []
          : [
              {
                variant: member.variant_name,
                type,
                period: periodOf(Math.min(...times)),
              },
            ];
      }),
    ],
  );
};

/**
 * Cumulative users by assignment period and converted users by the
 * period of their first counted event of a type, from the first period
 * with data to the last.
 */
const expectedSeries = (
  ref: Reference,
  query: Query,
  members: ReadonlyArray<Member>,
  types: ReadonlyArray<string>,
  granularity: Granularity,
) => {
  const step = stepOf(granularity);
  const arrivals = arrivalsOf(ref, query, members, types, granularity);
  if (arrivals.length === 0) return [];

  const first = Math.min(...arrivals.map((a) => a.period));
  const last = Math.max(...arrivals.map((a) => a.period));
  const upTo = (time: number, variant: string, type: string | null) =>
    arrivals.filter(
      (a) => a.period <= time && a.variant === variant && a.type === type,
    ).length;

  return Array.from({ length: (last - first) / step + 1 }, (_, i) => {
    const time = first + i * step;
    return [
      new Date(time).toISOString(),
      ref.variants.map((name) => {
        const users = upTo(time, name, null);
        return [
          name,
          users,
          types.map((type) => {
            const converted = upTo(time, name, type);
            return [type, converted, rateOf(converted, users)];
          }),
        ];
      }),
    ];
  });
};

const expectedReport = (ref: Reference, query: Query) => {
  const members = ref.members.filter((m) => inScope(query, m));
  const types = reportedTypes(ref, query, members);
  return {
    overall: expectedAnalysis(ref, query, members, types),
    segments:
      query.segment_by === undefined
        ? null
        : expectedSegments(ref, query, members, types, query.segment_by),
    series:
      query.granularity === undefined
        ? null
        : expectedSeries(ref, query, members, types, query.granularity),
  };
};

/** The users of one variant with one value of the segment attribute. */
interface Cell {
  readonly variantKey: number;
  readonly segment: string | null;
  readonly users: ReadonlyArray<Member>;
}

/** The users grouped as SQL groups them: by variant and segment. */
const cellsOf = (
  ref: Reference,
  members: ReadonlyArray<Member>,
  segmentBy: string | undefined,
) => {
  const segmentOf = (m: Member) =>
    segmentBy === undefined ? null : (m.attributes?.[segmentBy] ?? null);
  const segments = [...new Set(members.map(segmentOf))];
  return ref.keyedVariants
    .flatMap((variant) =>
      segments.map(
        (segment): Cell => ({
          variantKey: variant.key,
          segment,
          users: members.filter(
            (m) => m.variant_name === variant.name && segmentOf(m) === segment,
          ),
        }),
      ),
    )
    .filter((cell) => cell.users.length > 0);
};

/** The reference's counts, laid out as the repositories return them. */
const referenceCounts = (ref: Reference, query: Query): ReportCounts => {
  const members = ref.members.filter((m) => inScope(query, m));
  const types = reportedTypes(ref, query, members);
  const cells = cellsOf(ref, members, query.segment_by);
  return {
    users: cells.map(({ variantKey, segment, users }) => ({
      variantKey,
      segment,
      users: users.length,
    })),
    conversions: cells.flatMap(({ variantKey, segment, users }) =>
      types.map((eventType) => ({
        variantKey,
        segment,
        eventType,
        converted: users.filter((m) => hasConverted(ref, query, m, eventType))
          .length,
      })),
    ),
    values: (query.value_metric ?? []).map((metric) => {
      const [eventType, property] = splitAtLastColon(metric);
      return {
        eventType,
        property,
        rows: cells.map(({ variantKey, segment, users }) => ({
          variantKey,
          segment,
          ...valueTotals(ref, query, users, metric),
        })),
      };
    }),
  };
};

/** The series' rows as SQL counts them, one row per arrival. */
const periodCounts = (ref: Reference, arrivals: ReadonlyArray<Arrival>) => {
  const keyOf = (name: string) =>
    ref.keyedVariants.find((variant) => variant.name === name)?.key ?? 0;
  const rowOf = (arrival: Arrival): PeriodCount => ({
    variantKey: keyOf(arrival.variant),
    eventType: arrival.type,
    period: new Date(arrival.period).toISOString(),
    count: 1,
  });
  return {
    users: arrivals.filter((a) => a.type === null).map(rowOf),
    conversions: arrivals.filter((a) => a.type !== null).map(rowOf),
  };
};

/** The rows the results service builds from the reference's counts. */
const domainRows = (ref: Reference, query: ResultsQuery) => {
  const counts = referenceCounts(ref, query);
  return buildResultRows(
    ref.keyedVariants,
    counts.users,
    counts.conversions,
    query.event_type,
    confidenceOf(query),
  );
};

/** The time series the report service builds from the reference's rows. */
const domainSeries = (
  ref: Reference,
  query: Query,
  eventTypes: ReadonlyArray<string>,
  granularity: Granularity,
) => {
  const members = ref.members.filter((m) => inScope(query, m));
  const arrivals = arrivalsOf(ref, query, members, eventTypes, granularity);
  const { users, conversions } = periodCounts(ref, arrivals);
  return {
    granularity,
    points: buildTimeSeries(
      ref.keyedVariants,
      users,
      conversions,
      eventTypes,
      granularity,
    ),
  };
};

/**
 * The report the report service builds from the reference's counts,
 * every field but the time it was made.
 */
const domainReport = (ref: Reference, experimentId: string, query: Query) => {
  const confidence = confidenceOf(query);
  const counts = referenceCounts(ref, query);
  const overall = analyse(
    ref.keyedVariants,
    counts,
    query.event_type,
    confidence,
  );
  const eventTypes = overall.conversions.map((metric) => metric.event_type);
  const segmentOf = (group: ReturnType<typeof splitSegments>[number]) => ({
    value: group.value,
    ...analyse(
      ref.keyedVariants,
      group.counts,
      query.event_type ?? eventTypes,
      confidence,
    ),
  });
  const { sentences, warnings } = summarize(overall, confidence);

  return {
    experiment_id: experimentId,
    experiment_name: EXPERIMENT_NAME,
    status: "active",
    confidence,
    window: {
      from: query.from ?? null,
      to: query.to ?? null,
      conversion_window_seconds:
        query.conversion_window === undefined
          ? null
          : query.conversion_window / 1000,
    },
    srm: overall.srm,
    overall,
    segments:
      query.segment_by === undefined
        ? null
        : {
            attribute: query.segment_by,
            groups: splitSegments(counts, SEGMENT_LIMIT).map(segmentOf),
          },
    time_series:
      query.granularity === undefined
        ? null
        : domainSeries(ref, query, eventTypes, query.granularity),
    summary: sentences,
    warnings,
  };
};

const analysisFigures = (analysis: typeof Analysis.Type) => ({
  user_count: analysis.user_count,
  variants: analysis.variants.map((v) => [v.variant_name, v.user_count]),
  conversions: analysis.conversions.map((metric) => [
    metric.event_type,
    metric.variants.map((v) => [
      v.variant_name,
      v.user_count,
      v.converted,
      v.conversion_rate,
    ]),
  ]),
  values: analysis.values.map((metric) => [
    `${metric.event_type}:${metric.property}`,
    metric.variants.map((v) => [v.variant_name, v.user_count, v.skipped]),
  ]),
});

const analysisAmounts = (analysis: typeof Analysis.Type) =>
  analysis.values.flatMap((metric) =>
    metric.variants.map(
      (v): Amount => ({
        label: `${metric.event_type}:${metric.property} ${v.variant_name}`,
        total: v.total,
        mean: v.mean,
        mean_ci: v.mean_ci,
      }),
    ),
  );

const seriesFigures = (points: NonNullable<Report["time_series"]>["points"]) =>
  points.map((point) => [
    point.period_start.toISOString(),
    point.variants.map((v) => [
      v.variant_name,
      v.users,
      v.conversions.map((c) => [c.event_type, c.converted, c.conversion_rate]),
    ]),
  ]);

const assertClose = (actual: number, expected: number, label: string) =>
  assert.closeTo(
    actual,
    expected,
    1e-9 * Math.max(1, Math.abs(expected)),
    label,
  );

const show = (value: unknown) =>
  value instanceof Date
    ? value.toISOString()
    : String(JSON.stringify(value)).slice(0, 200);

/** Equal, or apart by at most 1e-9 of the larger. */
const near = (actual: number, expected: number) =>
  actual === expected ||
  Math.abs(actual - expected) <=
    1e-9 * Math.max(Math.abs(actual), Math.abs(expected));

type Fields = Readonly<Record<string, unknown>>;

const isFields = (value: unknown): value is Fields =>
  typeof value === "object" &&
  value !== null &&
  !Array.isArray(value) &&
  !(value instanceof Date);

/**
 * Where two answers first differ, or `undefined` where they match:
 * numbers within `near`, dates to the millisecond, everything else
 * exactly, down to the keys of each object and the length of each array.
 */
const firstDifference = (
  actual: unknown,
  expected: unknown,
  path: string,
): string | undefined => {
  const differs = `${path}: expected ${show(expected)}, got ${show(actual)}`;
  if (typeof expected === "number") {
    return typeof actual === "number" && near(actual, expected)
      ? undefined
      : differs;
  }
  if (expected instanceof Date) {
    return actual instanceof Date && actual.getTime() === expected.getTime()
      ? undefined
      : differs;
  }
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual) || actual.length !== expected.length) {
      return differs;
    }
    for (const [i, item] of expected.entries()) {
      const found = firstDifference(actual[i], item, `${path}[${i}]`);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  if (isFields(expected)) {
    if (!isFields(actual)) return differs;
    const keys = Object.keys(expected).sort();
    const actualKeys = Object.keys(actual).sort();
    if (!isDeepStrictEqual(actualKeys, keys)) {
      return `${path}: expected the keys ${keys}, got ${actualKeys}`;
    }
    for (const key of keys) {
      const found = firstDifference(
        actual[key],
        expected[key],
        `${path}.${key}`,
      );
      if (found !== undefined) return found;
    }
    return undefined;
  }
  return actual === expected ? undefined : differs;
};

const assertMatches = (actual: unknown, expected: unknown, root: string) => {
  const difference = firstDifference(actual, expected, root);
  if (difference !== undefined) assert.fail(difference);
};

const assertAmounts = (
  actual: ReadonlyArray<Amount>,
  expected: ReadonlyArray<Amount>,
  where: string,
) => {
  assert.deepStrictEqual(
    actual.map((a) => a.label),
    expected.map((e) => e.label),
  );
  for (const [i, want] of expected.entries()) {
    const got = actual[i] as Amount;
    const label = `${where}, ${want.label}`;
    assertClose(got.total, want.total, `${label}: total`);
    assertClose(got.mean, want.mean, `${label}: mean`);
    assert.strictEqual(got.mean_ci === null, want.mean_ci === null, label);
    if (got.mean_ci !== null && want.mean_ci !== null) {
      assertClose(got.mean_ci[0], want.mean_ci[0], `${label}: mean_ci low`);
      assertClose(got.mean_ci[1], want.mean_ci[1], `${label}: mean_ci high`);
    }
  }
};

const assertAnalysis = (
  actual: typeof Analysis.Type,
  expected: ReturnType<typeof expectedAnalysis>,
  where: string,
) => {
  assert.deepStrictEqual(analysisFigures(actual), expected.figures, where);
  assertAmounts(analysisAmounts(actual), expected.amounts, where);
};

const isWindowed = (query: Query) =>
  query.from !== undefined ||
  query.to !== undefined ||
  query.conversion_window !== undefined;

const unwindowed = (query: Query): Query => ({
  ...query,
  from: undefined,
  to: undefined,
  conversion_window: undefined,
});

/** A query of the table, made from the data set's bounds. */
interface Case<Q extends Query> {
  readonly name: string;
  readonly query: (bounds: Bounds) => Q;
  /** Set when the window is meant to leave every figure as it is. */
  readonly cutsNothing?: true;
}

const moment = (time: number) => new Date(time);

const CHOSEN_TYPES = ["signup", "purchase", "never_sent", "purchase"];

const RESULTS_CASES: ReadonlyArray<Case<ResultsQuery>> = [
  { name: "without options", query: () => ({}) },
  {
    name: "for chosen event types",
    query: () => ({ event_type: CHOSEN_TYPES }),
  },
  {
    name: "from a time after the assignments",
    query: (b) => ({ from: moment(b.from) }),
  },
  {
    name: "from a time before the assignments",
    query: (b) => ({ from: moment(b.earlyFrom) }),
    cutsNothing: true,
  },
  { name: "up to a time", query: (b) => ({ to: moment(b.to) }) },
  {
    name: "up to a time between two assignments",
    query: (b) => ({ to: moment(b.cut) }),
  },
  {
    name: "between two times",
    query: (b) => ({ from: moment(b.from), to: moment(b.to) }),
  },
  {
    name: "within a conversion window",
    query: () => ({ conversion_window: WINDOW }),
  },
  {
    name: "from a time within a conversion window",
    query: (b) => ({ from: moment(b.from), conversion_window: WINDOW }),
  },
  {
    name: "between two times within a window for chosen types",
    query: (b) => ({
      from: moment(b.from),
      to: moment(b.to),
      conversion_window: WINDOW,
      event_type: ["view", "signup"],
    }),
  },
  { name: "at 90% confidence", query: () => ({ confidence: 0.9 }) },
];

const REPORT_CASES: ReadonlyArray<Case<Query>> = [
  { name: "without options", query: () => ({}) },
  {
    name: "for chosen event types",
    query: () => ({ event_type: CHOSEN_TYPES }),
  },
  {
    name: "between two times",
    query: (b) => ({ from: moment(b.from), to: moment(b.to) }),
  },
  {
    name: "within a conversion window",
    query: () => ({ conversion_window: WINDOW }),
  },
  { name: "by country", query: () => ({ segment_by: "country" }) },
  {
    name: "by country from a time within a conversion window",
    query: (b) => ({
      segment_by: "country",
      from: moment(b.from),
      conversion_window: WINDOW,
    }),
  },
  {
    name: "by country up to a time between two assignments",
    query: (b) => ({ segment_by: "country", to: moment(b.cut) }),
  },
  { name: "for one country", query: () => ({ segment: ["country:FR"] }) },
  {
    name: "for one country by plan up to a time",
    query: (b) => ({
      segment: ["country:DE"],
      segment_by: "plan",
      to: moment(b.to),
    }),
  },
  {
    name: "with value metrics",
    query: () => ({ value_metric: VALUE_METRICS }),
  },
  {
    name: "with value metrics between two times",
    query: (b) => ({
      value_metric: VALUE_METRICS,
      from: moment(b.from),
      to: moment(b.to),
    }),
  },
  {
    name: "with value metrics by country within a conversion window",
    query: () => ({
      value_metric: VALUE_METRICS,
      segment_by: "country",
      conversion_window: WINDOW,
    }),
  },
  {
    name: "with value metrics for one plan from a time before the assignments",
    query: (b) => ({
      value_metric: ["purchase:amount"],
      segment: ["plan:pro"],
      from: moment(b.earlyFrom),
    }),
    cutsNothing: true,
  },
  { name: "hourly", query: () => ({ granularity: "hour" }) },
  { name: "daily", query: () => ({ granularity: "day" }) },
  {
    name: "hourly from a time within a conversion window",
    query: (b) => ({
      granularity: "hour",
      from: moment(b.from),
      conversion_window: WINDOW,
    }),
  },
  {
    name: "daily up to a time for one country",
    query: (b) => ({
      granularity: "day",
      to: moment(b.to),
      segment: ["country:DE"],
    }),
  },
  {
    name: "hourly for chosen types up to a time between two assignments",
    query: (b) => ({
      granularity: "hour",
      to: moment(b.cut),
      event_type: ["signup", "view"],
    }),
  },
  {
    name: "with every option",
    query: (b) => ({
      event_type: ["purchase", "view", "never_sent"],
      from: moment(b.from),
      to: moment(b.to),
      conversion_window: WINDOW,
      segment: ["plan:pro"],
      segment_by: "country",
      value_metric: VALUE_METRICS,
      granularity: "hour",
    }),
  },
  {
    name: "with value metrics by plan at 90% confidence",
    query: () => ({
      confidence: 0.9,
      value_metric: VALUE_METRICS,
      segment_by: "plan",
    }),
  },
];

type Times = ReadonlyArray<number>;

/** How many (member, type) pairs have event times that pass a test. */
const pairsWhere = (
  ref: Reference,
  test: (member: Member, times: Times) => boolean,
) =>
  ref.members.flatMap((member) =>
    SHAPED_TYPES.filter((type) => {
      const times = ref
        .eventsOf(member.user_id)
        .filter((e) => e.type === type)
        .map((e) => e.at);
      return times.length > 0 && test(member, times);
    }),
  ).length;

const treated = <V extends { readonly is_control: boolean }>(
  variants: ReadonlyArray<V>,
) => variants.filter((v) => !v.is_control);

/** The fields of a comparison with the control, `null` when undefined. */
const COMPARED = [
  "absolute_lift",
  "relative_lift",
  "lift_ci",
  "p_value",
  "adjusted_p_value",
  "significant",
] as const;

const CONVERSION_ONLY = [
  "conversion_rate_ci",
  "chance_to_beat_control",
] as const;

/** Asserts that each field has a value in at least `least` variants. */
const assertFilled = <V>(
  variants: ReadonlyArray<V>,
  fields: ReadonlyArray<keyof V & string>,
  least: number,
) => {
  for (const field of fields) {
    assert.isAtLeast(
      variants.filter((v) => v[field] !== null).length,
      least,
      `variants with a ${field}`,
    );
  }
};

layer(PopulatedLive, { excludeTestServices: true })(
  "results and report against the reference",
  (it) => {
    it.effect("populate() sends events on both sides of every bound", () =>
      Effect.gen(function* () {
        const data = yield* Populated;
        const ref = referenceOf(data);
        const { from, to, cut } = data.bounds;
        const some = (test: (m: Member, times: Times) => boolean) =>
          pairsWhere(ref, test) > 2;
        const onBound = (time: (m: Member) => number) =>
          data.members.some((m) =>
            ref.eventsOf(m.user_id).some((e) => e.at === time(m)),
          );
        const before = (m: Member, times: Times) =>
          times.some((t) => t < m.assigned_at);
        const after = (m: Member, times: Times) =>
          times.some((t) => t >= m.assigned_at);
        const sinceAssignment = (m: Member, times: Times, bound: number) =>
          times.some((t) => t >= m.assigned_at && t < bound);
        const end = (m: Member) => m.assigned_at + WINDOW;

        assert.isTrue(some((m, times) => !after(m, times)));
        assert.isTrue(some((m, times) => !before(m, times)));
        assert.isTrue(some((m, times) => before(m, times) && after(m, times)));
        assert.isTrue(
          some(
            (m, times) =>
              sinceAssignment(m, times, from) &&
              times.some((t) => t >= from && t <= to),
          ),
        );
        assert.isTrue(
          some(
            (m, times) =>
              sinceAssignment(m, times, to) && times.some((t) => t > to),
          ),
        );
        assert.isTrue(
          some(
            (m, times) =>
              sinceAssignment(m, times, from) &&
              times.some((t) => t >= from && t <= end(m)) &&
              times.some((t) => t > end(m)),
          ),
        );
        assert.deepStrictEqual(
          [
            onBound((m) => m.assigned_at),
            onBound((m) => m.assigned_at - 1),
            onBound(end),
            onBound((m) => end(m) + 1),
            onBound(() => from),
            onBound(() => from - 1),
            onBound(() => to),
            onBound(() => to + 1),
            onBound(() => cut),
            onBound(() => cut + 1),
          ],
          Array.from({ length: 10 }, () => true),
        );
        assert.isAbove(
          data.members.filter((m) => m.assigned_at > cut).length,
          10,
        );
        assert.isAbove(
          data.members.filter((m) => m.assigned_at <= cut).length,
          10,
        );
        assert.isAtLeast(
          expectedSeries(ref, {}, data.members, SHAPED_TYPES, "day").length,
          3,
        );
        assert.isAtLeast(
          expectedSeries(ref, {}, data.members, SHAPED_TYPES, "hour").length,
          48,
        );
      }),
    );

    it.effect("populate() sends every kind of value and segment", () =>
      Effect.gen(function* () {
        const data = yield* Populated;
        const ref = referenceOf(data);
        const kindOf = (properties: Properties) => {
          if (!Object.hasOwn(properties, "amount")) return "missing";
          const value = properties.amount;
          if (value === null) return "null";
          if (typeof value !== "number") return typeof value;
          if (value === 0) return "zero";
          if (value < 0) return "negative";
          return Number.isInteger(value) ? "integer" : "fraction";
        };
        const amounts = data.members.flatMap((m) =>
          countedEvents(ref, {}, m, "purchase").map((e) =>
            kindOf(e.properties ?? {}),
          ),
        );
        const countries = new Set(
          data.members.map((m) => m.attributes?.country ?? "(none)"),
        );

        assert.deepStrictEqual([...new Set(amounts)].sort(), [
          "boolean",
          "fraction",
          "integer",
          "missing",
          "negative",
          "null",
          "object",
          "string",
          "zero",
        ]);
        assert.deepStrictEqual(
          [...new Set(data.members.map((m) => m.variant_name))].sort(),
          ["blue", "control", "green"],
        );
        assert.isAbove(countries.size, SEGMENT_LIMIT + 1);
        assert.isTrue(countries.has("(none)"));
      }),
    );

    it.effect("populate() sends noise that must not count", () =>
      Effect.gen(function* () {
        const data = yield* Populated;
        const ref = referenceOf(data);
        const stored = data.members.flatMap((m) => ref.eventsOf(m.user_id));
        const assignedAt = new Map(
          data.members.map((m) => [m.user_id, m.assigned_at]),
        );
        const early = data.decoyMembers.flatMap((decoy) =>
          ref
            .eventsOf(decoy.user_id)
            .filter((e) => e.type === "early")
            .map(
              (e) =>
                decoy.assigned_at < e.at &&
                e.at < (assignedAt.get(decoy.user_id) ?? 0),
            ),
        );
        const kept = storedEvents(data.sent, TOKENS.alpha);
        const dropped = data.sent.filter(
          (e) => e.token === TOKENS.alpha && !kept.includes(e),
        );
        const otherTenant = data.sent.filter((e) => e.token === TOKENS.beta);

        assert.deepStrictEqual(
          early,
          Array.from({ length: SHARED_WITH_DECOY }, () => true),
        );
        assert.deepStrictEqual(
          dropped.map((e) => e.event_id !== undefined),
          Array.from({ length: 8 }, () => true),
        );
        assert.deepStrictEqual([...new Set(stored.map((e) => e.type))].sort(), [
          "early",
          "purchase",
          "refund",
          "signup",
          "upgrade",
          "view",
        ]);
        assert.strictEqual(otherTenant.length, 3 * USERS);
        assert.isTrue(otherTenant.every((e) => assignedAt.has(e.user_id)));
      }),
    );

    it.effect("populate() sends enough data for every statistic", () =>
      Effect.gen(function* () {
        const data = yield* Populated;
        const ref = referenceOf(data);
        const reports = REPORT_CASES.map(({ query }) =>
          domainReport(ref, data.experimentId, query(data.bounds)),
        );
        const analyses = reports.flatMap((report) => [
          report.overall,
          ...(report.segments?.groups ?? []),
        ]);
        const conversions = treated(
          analyses.flatMap((a) => a.conversions.flatMap((m) => m.variants)),
        );
        const values = treated(
          analyses.flatMap((a) => a.values.flatMap((m) => m.variants)),
        );
        const rows = treated(
          RESULTS_CASES.flatMap(({ query }) =>
            domainRows(ref, query(data.bounds)),
          ),
        );
        const significant = [...conversions, ...rows].map((v) => v.significant);
        const summary = reports.flatMap((report) => report.summary);

        assertFilled(conversions, [...COMPARED, ...CONVERSION_ONLY], 100);
        assertFilled(values, [...COMPARED, "mean_ci"], 20);
        assertFilled(rows, [...COMPARED, ...CONVERSION_ONLY], 25);
        assert.includeMembers(significant, [true, false, null]);
        assert.isTrue(reports.every((report) => report.srm !== null));
        assert.isAtLeast(summary.length, 50);
        assert.isTrue(summary.some((line) => line.includes("significant at")));
        assert.includeMembers(
          reports.flatMap((report) =>
            report.warnings.map((warning) => warning.split(":")[0]),
          ),
          ["Too little data", "purchase amount", "view seconds"],
        );
      }),
    );

    for (const { name, query: queryOf, cutsNothing } of RESULTS_CASES) {
      it.effect(`results.get() matches the reference ${name}`, () =>
        Effect.gen(function* () {
          const data = yield* Populated;
          const ref = referenceOf(data);
          const query = queryOf(data.bounds);
          const alpha = yield* clientFor(TOKENS.alpha);

          const rows = yield* alpha.results.get({
            path: { experiment_id: data.experimentId },
            urlParams: query,
          });

          assert.deepStrictEqual(
            rows.map((row) => [
              row.event_type,
              row.variant_name,
              row.user_count,
              row.user_count_event_type,
              row.conversion_rate,
            ]),
            expectedRows(ref, query),
          );
          assertMatches(rows, domainRows(ref, query), "rows");
          if (isWindowed(query)) {
            assert.strictEqual(
              isDeepStrictEqual(
                expectedRows(ref, query),
                expectedRows(ref, unwindowed(query)),
              ),
              cutsNothing === true,
            );
          }
        }),
      );
    }

    for (const { name, query: queryOf, cutsNothing } of REPORT_CASES) {
      it.effect(`report.get() matches the reference ${name}`, () =>
        Effect.gen(function* () {
          const data = yield* Populated;
          const ref = referenceOf(data);
          const query = queryOf(data.bounds);
          const alpha = yield* clientFor(TOKENS.alpha);

          const asked = Date.now();
          const report = yield* alpha.report.get({
            path: { experiment_id: data.experimentId },
            urlParams: query,
          });
          const answered = Date.now();
          const expected = expectedReport(ref, query);

          assertAnalysis(report.overall, expected.overall, "overall");
          assert.deepStrictEqual(
            report.segments?.groups.map((group) => group.value) ?? null,
            expected.segments?.map((group) => group.value) ?? null,
          );
          for (const [i, group] of (expected.segments ?? []).entries()) {
            const actual = report.segments?.groups[i];
            assert.isDefined(actual);
            if (actual !== undefined) {
              assertAnalysis(actual, group, `segment ${group.value}`);
            }
          }
          assert.strictEqual(
            report.time_series?.granularity ?? null,
            query.granularity ?? null,
          );
          assert.deepStrictEqual(
            report.time_series === null
              ? null
              : seriesFigures(report.time_series.points),
            expected.series,
          );
          const { generated_at, ...answer } = report;
          assert.isAtLeast(generated_at.getTime(), asked);
          assert.isAtMost(generated_at.getTime(), answered);
          assertMatches(
            answer,
            domainReport(ref, data.experimentId, query),
            "report",
          );
          if (isWindowed(query)) {
            assert.strictEqual(
              isDeepStrictEqual(
                expectedReport(ref, query),
                expectedReport(ref, unwindowed(query)),
              ),
              cutsNothing === true,
            );
          }
        }),
      );
    }
  },
);
