/**
 * Handlers of the events group.
 *
 * @module
 */
import { HttpApiBuilder } from "@effect/platform";
import { Effect, Either, Option, ParseResult, Schema } from "effect";
import { CurrentClient } from "../api/auth.ts";
import { InvalidRequest } from "../api/errors.ts";
import {
  DEFAULT_EVENT_PAGE_SIZE,
  decodeEventCursor,
  type Event,
  type EventPage,
  type EventsQuery,
  encodeEventCursor,
  NewEvent,
  UncheckedEventBatch,
} from "../api/events.ts";
import { Api } from "../api/mod.ts";
import {
  describeIssues,
  type Issue,
  informativeIssues,
} from "../http/issues.ts";
import {
  type EventRecord,
  type EventSlice,
  EventsRepository,
} from "../repositories/events_repository.ts";

const toEvent = (record: EventRecord): Event => ({
  id: record.publicId,
  user_id: record.userId,
  event_type: record.eventType,
  timestamp: record.occurredAt,
  properties: record.properties,
  event_id: record.eventId,
  created_at: record.createdAt,
  updated_at: record.updatedAt,
});

const toPage = (slice: EventSlice): EventPage => ({
  items: slice.records.map(toEvent),
  next_cursor: Option.match(slice.next, {
    onNone: () => null,
    onSome: encodeEventCursor,
  }),
});

const problemsOf = (error: ParseResult.ParseError): ReadonlyArray<Issue> =>
  informativeIssues(ParseResult.ArrayFormatter.formatErrorSync(error));

const SHOWN_PROBLEMS = 5;

const decodeEnvelope = Schema.decodeUnknownEither(UncheckedEventBatch, {
  errors: "all",
});

const decodeEvent = Schema.decodeUnknownEither(NewEvent, { errors: "all" });

/**
 * Checks a batch as a whole: the list itself, then every event in it.
 * Fails with one `InvalidRequest` whose `errors` name each invalid event
 * by its index, so nothing of an invalid batch is stored.
 */
const checkBatch = (body: unknown) => {
  const envelope = decodeEnvelope(body);
  if (Either.isLeft(envelope)) {
    return Effect.fail(
      new InvalidRequest({
        detail: `Validate request: ${describeIssues(problemsOf(envelope.left))}`,
      }),
    );
  }

  const items = envelope.right.events;
  const decoded = items.map((item) => decodeEvent(item));
  const invalid = decoded.flatMap((result, index) =>
    Either.isLeft(result) ? [{ index, problems: problemsOf(result.left) }] : [],
  );
  if (invalid.length === 0) {
    return Effect.succeed(
      decoded.flatMap((result) =>
        Either.isRight(result) ? [result.right] : [],
      ),
    );
  }

  const all = invalid.flatMap(({ index, problems }) =>
    problems.map(({ path, message }) => ({
      path: ["events", index, ...path],
      message,
    })),
  );
  return Effect.fail(
    new InvalidRequest({
      detail:
        `Validate request: ${invalid.length} of ${items.length} events ` +
        `are invalid: ${describeIssues(all, SHOWN_PROBLEMS)}`,
      errors: invalid.map(({ index, problems }) => ({
        index,
        detail: describeIssues(problems, problems.length),
      })),
    }),
  );
};

const toFilter = (query: EventsQuery) => ({
  userId: query.user_id,
  types: query.type,
  from: query.from,
  to: query.to,
  limit: query.limit ?? DEFAULT_EVENT_PAGE_SIZE,
  after: Option.fromNullable(query.cursor).pipe(
    Option.flatMap(decodeEventCursor),
  ),
});

/**
 * Implements `POST /events`, `POST /events/batch` and `GET /events`. The
 * batch reads its body itself, so that it can report every invalid event
 * by its index instead of the first decode failure.
 */
export const EventsHandlers = HttpApiBuilder.group(Api, "events", (handlers) =>
  Effect.gen(function* () {
    const events = yield* EventsRepository;

    return handlers
      .handle("record", ({ payload }) =>
        CurrentClient.pipe(
          Effect.flatMap(({ clientId }) => events.insert(clientId, payload)),
          Effect.map(toEvent),
        ),
      )
      .handleRaw("recordBatch", ({ request }) =>
        Effect.gen(function* () {
          const { clientId } = yield* CurrentClient;
          const body = yield* Effect.orDie(request.json);
          const batch = yield* checkBatch(body);

          return yield* events.insertBatch(clientId, batch);
        }),
      )
      .handle("list", ({ urlParams }) =>
        CurrentClient.pipe(
          Effect.flatMap(({ clientId }) =>
            events.list(clientId, toFilter(urlParams)),
          ),
          Effect.map(toPage),
        ),
      );
  }),
);
