import { HttpClientRequest } from "@effect/platform";
import { assert, layer } from "@effect/vitest";
import { Effect } from "effect";
import type { Experiment } from "../../src/api/experiments.ts";
import type { ExperimentsClient } from "../../src/client/mod.ts";
import { assignVariant } from "../../src/domain/hashing.ts";
import {
  clientFor,
  rawClient,
  statusAndDetail,
  TOKENS,
  testServer,
} from "../support/harness.ts";

/** Fails unless `text` begins with `prefix`, showing both when it does. */
const assertStartsWith = (text: string, prefix: string) =>
  assert.strictEqual(text.slice(0, prefix.length), prefix, text);

const inAnHour = () => new Date(Date.now() + 60 * 60 * 1000);

const createExperiment = (client: ExperimentsClient, name: string) =>
  client.experiments.create({
    payload: {
      name,
      variants: [
        { name: "control", traffic_allocation: 50 },
        { name: "treatment", traffic_allocation: 50 },
      ],
    },
  });

/** User ids that the hash puts in each variant, as many as asked. */
const usersFor = (
  experiment: Experiment,
  wanted: Readonly<Record<string, number>>,
  prefix: string,
) => {
  const variants = experiment.variants.map((v) => ({
    ...v,
    trafficAllocation: v.traffic_allocation,
  }));
  const chosen: Record<string, Array<string>> = {};
  for (
    let i = 0;
    Object.keys(wanted).some(
      (name) => (chosen[name]?.length ?? 0) < (wanted[name] ?? 0),
    );
    i++
  ) {
    const user = `${prefix}-${i}`;
    const name = assignVariant(experiment.id, user, variants).name;
    const list = chosen[name] ?? [];
    chosen[name] = list;
    if (list.length < (wanted[name] ?? 0)) list.push(user);
  }
  return chosen;
};

layer(testServer(), { excludeTestServices: true })(
  "GET /experiments/{id}/report",
  (it) => {
    it.effect("get() reports statistics, value metrics and segments", () =>
      Effect.gen(function* () {
        const client = yield* clientFor(TOKENS.alpha);
        const experiment = yield* createExperiment(client, "Report");
        const users = usersFor(
          experiment,
          { control: 100, treatment: 100 },
          "rep",
        );
        const control = users.control ?? [];
        const treatment = users.treatment ?? [];
        const assign = (user_id: string, country: string) =>
          client.assignments.assign({
            path: { experiment_id: experiment.id, user_id },
            payload: { attributes: { country, plan: "free" } },
          });
        yield* Effect.forEach(
          control,
          (user, i) => assign(user, i % 2 === 0 ? "DE" : "US"),
          { concurrency: 10 },
        );
        yield* Effect.forEach(
          treatment,
          (user, i) => assign(user, i % 4 === 0 ? "FR" : "DE"),
          { concurrency: 10 },
        );
        const buy = (user_id: string, amount: unknown) =>
          client.events.record({
            payload: {
              user_id,
              type: "purchase",
              timestamp: inAnHour(),
              properties: { amount },
            },
          });
        yield* Effect.forEach(control.slice(0, 10), (u) => buy(u, 10), {
          concurrency: 10,
        });
        yield* Effect.forEach(treatment.slice(0, 20), (u) => buy(u, 12), {
          concurrency: 10,
        });
        yield* buy(treatment[0] ?? "", "n/a");

        const report = yield* client.report.get({
          path: { experiment_id: experiment.id },
          urlParams: {
            value_metric: ["purchase:amount"],
            segment_by: "country",
            granularity: "day",
          },
        });

        assert.strictEqual(report.experiment_id, experiment.id);
        assert.strictEqual(report.confidence, 0.95);
        assert.strictEqual(report.overall.user_count, 200);
        assert.deepStrictEqual(
          report.overall.variants.map((v) => [v.variant_name, v.user_count]),
          [
            ["control", 100],
            ["treatment", 100],
          ],
        );
        assert.isFalse(report.overall.srm?.mismatch);
        assert.deepStrictEqual(report.srm, report.overall.srm);
        assert.strictEqual(report.overall.srm?.chi_square, 0);

        // Reference values: statsmodels 0.13.5 proportions_ztest and
        // multipletests(method="holm"), scipy 1.10.1 ttest_ind(equal_var=False).
        const purchase = report.overall.conversions[0];
        const treated = purchase?.variants[1];
        assert.strictEqual(purchase?.event_type, "purchase");
        assert.strictEqual(treated?.converted, 20);
        assert.closeTo(treated?.p_value ?? 0, 0.04767038065616141, 1e-9);
        assert.closeTo(
          treated?.adjusted_p_value ?? 0,
          0.04767038065616141,
          1e-9,
        );
        assert.isTrue(treated?.significant);

        const amount = report.overall.values[0];
        const [cMean, tMean] = amount?.variants ?? [];
        assert.strictEqual(amount?.property, "amount");
        assert.strictEqual(cMean?.mean, 1);
        assert.closeTo(tMean?.mean ?? 0, 2.4, 1e-12);
        assert.strictEqual(tMean?.skipped, 1);
        assert.closeTo(tMean?.p_value ?? 0, 0.014880490772187543, 1e-9);
        assert.closeTo(tMean?.adjusted_p_value ?? 0, 0.02976098154437509, 1e-9);

        const segments = report.segments?.groups ?? [];
        assert.strictEqual(report.segments?.attribute, "country");
        assert.deepStrictEqual(
          segments.map((g) => [g.value, g.user_count]),
          [
            ["DE", 125],
            ["US", 50],
            ["FR", 25],
          ],
        );
        assert.strictEqual(
          segments.reduce((sum, g) => sum + g.user_count, 0),
          report.overall.user_count,
        );
        const us = segments.find((g) => g.value === "US");
        assert.deepStrictEqual(
          us?.variants.map((v) => v.user_count),
          [50, 0],
        );

        const points = report.time_series?.points ?? [];
        const last = points[points.length - 1];
        assert.strictEqual(report.time_series?.granularity, "day");
        assert.isAbove(points.length, 0);
        assert.deepStrictEqual(
          last?.variants.map((v) => [v.users, v.conversions[0]?.converted]),
          [
            [100, 10],
            [100, 20],
          ],
        );

        assertStartsWith(
          report.summary[0] ?? "",
          "purchase: treatment converts 20.0% against 10.0% for control, " +
            "+10.0 points (95.0% CI +0.0 points to +19.9 points); significant",
        );
        assert.match(
          report.summary[1] ?? "",
          /^purchase amount per user: treatment averages 2\.40 against 1\.00/,
        );
        assert.deepStrictEqual(report.warnings, [
          "purchase amount: 1 values were not numbers and were ignored.",
        ]);
      }),
    );

    it.effect("get() flags a skewed split as a sample-ratio mismatch", () =>
      Effect.gen(function* () {
        const client = yield* clientFor(TOKENS.alpha);
        const experiment = yield* createExperiment(client, "Skewed");
        const users = usersFor(
          experiment,
          { control: 300, treatment: 100 },
          "skew",
        );
        yield* Effect.forEach(
          [...(users.control ?? []), ...(users.treatment ?? [])],
          (user_id) =>
            client.assignments.get({
              path: { experiment_id: experiment.id, user_id },
            }),
          { concurrency: 10 },
        );

        const report = yield* client.report.get({
          path: { experiment_id: experiment.id },
          urlParams: {},
        });

        // scipy 1.10.1 chisquare([300, 100], [200, 200]).
        assert.strictEqual(report.overall.srm?.chi_square, 100);
        assert.closeTo(
          report.overall.srm?.p_value ?? 1,
          1.5239706048320995e-23,
          1e-30,
        );
        assert.isTrue(report.overall.srm?.mismatch);
        assertStartsWith(
          report.warnings[0] ?? "",
          "Sample-ratio mismatch: users split control 300, treatment 100 " +
            "against the configured 50%/50%",
        );
        assert.deepStrictEqual(report.summary, []);
      }),
    );

    it.effect("get() filters by attributes and warns about little data", () =>
      Effect.gen(function* () {
        const client = yield* clientFor(TOKENS.alpha);
        const experiment = yield* createExperiment(client, "Filtered");
        const assign = (user_id: string, plan: string) =>
          client.assignments.assign({
            path: { experiment_id: experiment.id, user_id },
            payload: { attributes: { plan } },
          });
        yield* assign("pro-1", "pro");
        yield* assign("pro-2", "pro");
        yield* assign("free-1", "free");
        yield* client.assignments.get({
          path: { experiment_id: experiment.id, user_id: "no-attributes" },
        });

        const report = yield* client.report.get({
          path: { experiment_id: experiment.id },
          urlParams: { segment: ["plan:pro"] },
        });

        assert.strictEqual(report.overall.user_count, 2);
        assert.match(report.warnings.join(" "), /Too little data: /);
      }),
    );

    it.effect("get() keeps a user's first attributes", () =>
      Effect.gen(function* () {
        const client = yield* clientFor(TOKENS.alpha);
        const experiment = yield* createExperiment(client, "Sticky attrs");
        const path = { experiment_id: experiment.id, user_id: "sticky" };

        const first = yield* client.assignments.assign({
          path,
          payload: { attributes: { country: "DE" } },
        });
        const second = yield* client.assignments.assign({
          path,
          payload: { attributes: { country: "US" } },
        });
        const report = yield* client.report.get({
          path: { experiment_id: experiment.id },
          urlParams: { segment_by: "country" },
        });

        assert.strictEqual(second.id, first.id);
        assert.deepStrictEqual(
          report.segments?.groups.map((g) => g.value),
          ["DE"],
        );
      }),
    );

    it.effect("get() answers 400 for malformed report parameters", () =>
      Effect.gen(function* () {
        const client = yield* clientFor(TOKENS.alpha);
        const experiment = yield* createExperiment(client, "Bad params");
        const statusOf = (query: string) =>
          statusAndDetail(
            `/experiments/${experiment.id}/report?${query}`,
            TOKENS.alpha,
          );

        const metric = yield* statusOf("value_metric=purchase");
        const filter = yield* statusOf("segment=country");
        const key = yield* statusOf("segment_by=bad%20key");
        const period = yield* statusOf("granularity=week");

        assert.deepStrictEqual(
          [metric[0], filter[0], key[0], period[0]],
          [400, 400, 400, 400],
        );
        assert.match(String(metric[1]), /event_type:property/);
        assert.match(String(filter[1]), /attribute:value/);
      }),
    );

    it.effect(
      "assign() answers 400 for bad attributes and stores nothing",
      () =>
        Effect.gen(function* () {
          const client = yield* clientFor(TOKENS.alpha);
          const experiment = yield* createExperiment(client, "Bad attrs");
          const http = yield* rawClient;

          const response = yield* http.execute(
            HttpClientRequest.post(
              `/experiments/${experiment.id}/assignment/bad-attrs`,
            ).pipe(
              HttpClientRequest.bearerToken(TOKENS.alpha),
              HttpClientRequest.bodyText(
                JSON.stringify({ attributes: { country: { nested: 1 } } }),
                "application/json",
              ),
            ),
          );
          const badName = yield* http.execute(
            HttpClientRequest.post(
              `/experiments/${experiment.id}/assignment/bad-name`,
            ).pipe(
              HttpClientRequest.bearerToken(TOKENS.alpha),
              HttpClientRequest.bodyText(
                JSON.stringify({ attributes: { "bad key": "x" } }),
                "application/json",
              ),
            ),
          );
          const badDetail = ((yield* badName.json) as { detail: string })
            .detail;
          const report = yield* client.report.get({
            path: { experiment_id: experiment.id },
            urlParams: {},
          });

          assert.strictEqual(badName.status, 400);
          assert.match(badDetail, /Expected attribute names .*got "bad key"/);
          assert.strictEqual(response.status, 400);
          assert.strictEqual(report.overall.user_count, 0);
        }),
    );
  },
);
