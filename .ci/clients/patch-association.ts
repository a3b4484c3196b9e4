// Type-level client check of the OpenAPI contract, run by .ci/clients.sh.
//
// .ci/clients.sh generates `schema.d.ts` from openapi/openapi.json with openapi-typescript,
// copies this file and tsconfig.json next to it, and compiles them with
// `tsc --strict --noEmit --noUncheckedIndexedAccess --exactOptionalPropertyTypes`.
// Nothing here is ever executed: `clientFlow` is only type-checked. It uses plain `fetch`
// and nothing but the generated `paths` / `components` types, and it picks request and
// response bodies the way openapi-fetch (openapi-typescript's own client) does by default:
// every media type of the operation, every 2xx status for data, every 4xx/5xx for errors.
//
// Rules: no `as` casts, no `any`, no `@ts-ignore`. The only `@ts-expect-error` lines are
// negative checks: they fail the build when the contract lets a wrong body through.
//
// It fails to compile when, for example, the merge-patch schema is typed
// `Record<string, never>` or `{ [key: string]: unknown }`, when a success body is typed
// `unknown` or `... | string`, or when a response header a client needs is not declared.

import type { components, paths } from "./schema";

// ---- helpers, modelled on openapi-typescript-helpers (used by openapi-fetch) ------------

/** Values of `Obj` whose keys match `Matchers` (openapi-typescript-helpers' FilterKeys). */
type FilterKeys<Obj, Matchers> = Obj[keyof Obj & Matchers];
/** Any media type: openapi-fetch's default `Media` parameter. */
type MediaType = `${string}/${string}`;
type OkStatus = 200 | 201 | 202 | 203 | 204 | 206 | 207 | "2XX";
type ErrorStatus =
  | 400 | 401 | 402 | 403 | 404 | 405 | 406 | 407 | 408 | 409 | 410 | 411 | 412 | 413 | 414
  | 415 | 416 | 417 | 418 | 420 | 421 | 422 | 423 | 424 | 425 | 426 | 427 | 428 | 429 | 430
  | 431 | 444 | 450 | 451 | 497 | 498 | 499 | "4XX"
  | 500 | 501 | 502 | 503 | 504 | 505 | 506 | 507 | 508 | 509 | 510 | 511 | "5XX" | "default";

type Responses<Op> = Op extends { responses: infer R } ? R : never;
type ContentOf<R> = R extends { content: infer C } ? FilterKeys<C, MediaType> : never;
/** The body of every 2xx response of `Op`, over all its media types. */
type SuccessBody<Op> = ContentOf<FilterKeys<Responses<Op>, OkStatus>>;
/** The body of every 4xx/5xx/default response of `Op`, over all its media types. */
type ErrorBody<Op> = ContentOf<FilterKeys<Responses<Op>, ErrorStatus>>;
/** The request body of `Op`, over all its media types. */
type RequestBody<Op> = Op extends { requestBody: { content: infer C } }
  ? FilterKeys<C, MediaType>
  : Op extends { requestBody?: { content: infer C } }
    ? FilterKeys<C, MediaType>
    : never;
/** The declared headers of the `Status` response of `Op`. */
type ResponseHeaders<Op, Status extends PropertyKey> = FilterKeys<Responses<Op>, Status> extends {
  headers: infer H;
}
  ? H
  : never;

/** `T` without index signatures: the properties the contract actually names. */
type KnownKeys<T> = keyof {
  [K in keyof T as string extends K ? never : number extends K ? never : K]: T[K];
};
/** Compiles only when `K` is a named (not index-signature) property of `T`. */
type HasNamedProperty<T, K extends KnownKeys<T>> = K;
/** Compiles only when A and B are the same type. */
type Equals<A, B> =
  (<G>() => G extends A ? 1 : 2) extends <G>() => G extends B ? 1 : 2 ? true : false;
function assertTrue<T extends true>(_proof: T): void {}

// ---- the operations ----------------------------------------------------------------------

type UpdateAssociation = paths["/api/v1/associations/{id}"]["patch"];
type ListAssociations = paths["/api/v1/associations"]["get"];

type AssociationPatch = RequestBody<UpdateAssociation>;
type AssociationView = SuccessBody<UpdateAssociation>;
type AssociationPage = SuccessBody<ListAssociations>;
type UpdateProblem = ErrorBody<UpdateAssociation>;

// The 200 of update_association is exactly the association view schema.
assertTrue<Equals<AssociationView, components["schemas"]["AssociationView"]>>(true);
// Every error of update_association is a problem details body.
assertTrue<Equals<UpdateProblem, components["schemas"]["Problem"]>>(true);

// The patch names the writable fields (not `Record<string, never>`, not an open map).
type _PatchMemberCount = HasNamedProperty<AssociationPatch, "member_count">;
type _PatchContact = HasNamedProperty<AssociationPatch, "contact">;
type _PatchName = HasNamedProperty<AssociationPatch, "name">;
// The list page names its fields and its items are the association view.
type _PageItems = HasNamedProperty<AssociationPage, "items">;
type _PageNextCursor = HasNamedProperty<AssociationPage, "next_cursor">;

// ---- values a client writes ------------------------------------------------------------

/** A merge patch: any subset of the writable fields; nested objects are patches too. */
const patch: AssociationPatch = {
  member_count: 52,
  contact: { phone: "+32 2 123 45 67" },
};
/** `null` clears an optional field (RFC 7396). */
const clearing: AssociationPatch = { acronym: null, contact: { website: null } };
/** The empty patch is a valid merge patch. */
const empty: AssociationPatch = {};

const misspelt: AssociationPatch = {
  // @ts-expect-error -- an unknown field must be rejected (the patch is a closed object).
  member_cnt: 52,
};
const wrongType: AssociationPatch = {
  // @ts-expect-error -- member_count is an integer, not a string.
  member_count: "52",
};

// ---- the client flow: type-checked, never run --------------------------------------------

/** What a generated client hands back for a JSON body; `Response.json()` is untyped. */
async function readBody<T>(response: Response): Promise<T> {
  const body: T = await response.json();
  return body;
}

async function clientFlow(baseUrl: string, token: string, id: string): Promise<void> {
  // PATCH /api/v1/associations/{id} (update_association) with If-Match.
  const path: keyof paths = "/api/v1/associations/{id}";
  const params: UpdateAssociation["parameters"] = { path: { id }, header: { "If-Match": "\"3\"" } };
  const url = `${baseUrl}${path.replace("{id}", encodeURIComponent(params.path.id))}`;
  const requestBody: AssociationPatch = patch;
  const response = await fetch(url, {
    method: "PATCH",
    headers: {
      Authorization: `Bearer ${token}`,
      "Content-Type": "application/merge-patch+json",
      "If-Match": params.header?.["If-Match"] ?? "*",
    },
    body: JSON.stringify(requestBody),
  });

  if (response.ok) {
    const view = await readBody<AssociationView>(response);
    const name: string = view.name;
    const version: number = view.version;
    const firstCountry: string | undefined = view.countries_of_origin[0];
    const phone: string | null | undefined = view.contact.phone;
    // The new version comes back as an ETag for the next If-Match: the contract must say so.
    type PatchOkHeaders = ResponseHeaders<UpdateAssociation, 200>;
    type _PatchOkETag = HasNamedProperty<PatchOkHeaders, "ETag">;
    assertTrue<Equals<Exclude<PatchOkHeaders["ETag"], undefined>, string>>(true);
    const etag: string | null = response.headers.get("ETag");
    console.log(name, version, firstCountry, phone, etag);
  } else {
    const problem = await readBody<UpdateProblem>(response);
    const code: string = problem.code;
    const status: number = problem.status;
    const pointer: string | null | undefined = problem.errors?.[0]?.pointer;
    console.log(code, status, pointer);
  }

  // GET /api/v1/associations (list_associations), first page then the next one.
  const query: ListAssociations["parameters"]["query"] = { limit: 50, sort: "-created_at,name" };
  const listResponse = await fetch(`${baseUrl}/api/v1/associations?limit=${query?.limit ?? 50}`, {
    headers: { Authorization: `Bearer ${token}`, Accept: "application/json" },
  });
  const page = await readBody<AssociationPage>(listResponse);
  const firstId: string | undefined = page.items[0]?.id;
  const firstItem: components["schemas"]["AssociationView"] | undefined = page.items[0];
  const nextCursor: string | null | undefined = page.next_cursor;
  const nextQuery: ListAssociations["parameters"]["query"] =
    nextCursor == null ? undefined : { cursor: nextCursor };
  console.log(firstId, firstItem?.name, nextQuery?.cursor);
}

export { clearing, clientFlow, empty, misspelt, wrongType };
