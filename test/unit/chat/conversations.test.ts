/**
 * A conversation's settings and the search over a person's conversations, against a real in-memory
 * database with the migrations applied.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { closeDb, getDb, openDb, setDb } from "@/db/client";
import { replaceMessages } from "@/db/queries/conversations";
import { users } from "@/db/schema";
import { createConversation, getConversation, listConversations, patchConversation } from "@/lib/chat/conversations";

const NOW = Date.parse("2026-01-10T10:00:00Z");

beforeEach(() => {
  setDb(openDb(":memory:"));
  for (const id of ["u_ann", "u_bob"]) {
    getDb()
      .insert(users)
      .values({ id, name: id, email: `${id}@example.com`, createdAt: new Date(NOW), updatedAt: new Date(NOW) })
      .run();
  }
});
afterEach(() => closeDb());

const text = (id: string, role: "user" | "assistant", t: string) => ({ id, role, parts: [{ type: "text", text: t }], metadata: null });

const codeOf = async (fn: () => Promise<unknown>) => {
  try {
    await fn();
  } catch (err) {
    return (err as { status?: number; param?: string }).status + ":" + (err as { param?: string }).param;
  }
  return "ok";
};

describe("a conversation's system prompt and temperature", () => {
  it("are kept, changed and cleared, and a blank prompt is none", async () => {
    const c = await createConversation("u_ann", null, { model: "m", systemPrompt: "Be brief.", temperature: 0.4 }, NOW);
    expect(c).toMatchObject({ systemPrompt: "Be brief.", temperature: 0.4 });
    expect(await patchConversation("u_ann", c.id, { temperature: 1.5 }, NOW + 1)).toMatchObject({ systemPrompt: "Be brief.", temperature: 1.5 });
    expect(await patchConversation("u_ann", c.id, { systemPrompt: "   ", temperature: null }, NOW + 2)).toMatchObject({ systemPrompt: null, temperature: null });
    expect(await getConversation("u_ann", c.id)).toMatchObject({ systemPrompt: null, temperature: null, messages: [] });
    expect(await createConversation("u_ann", null, { model: "m" }, NOW)).toMatchObject({ systemPrompt: null, temperature: null });
  });

  it("are refused out of range, naming the field", async () => {
    const c = await createConversation("u_ann", null, { model: "m" }, NOW);
    expect(await codeOf(() => patchConversation("u_ann", c.id, { temperature: 2.01 }, NOW))).toBe("400:temperature");
    expect(await codeOf(() => patchConversation("u_ann", c.id, { temperature: -1 }, NOW))).toBe("400:temperature");
    expect(await codeOf(() => patchConversation("u_ann", c.id, { temperature: "0.5" }, NOW))).toBe("400:temperature");
    expect(await codeOf(() => patchConversation("u_ann", c.id, { systemPrompt: "x".repeat(10_001) }, NOW))).toBe("400:systemPrompt");
    expect(await codeOf(() => patchConversation("u_ann", c.id, { systemPrompt: "x".repeat(10_000) }, NOW))).toBe("ok");
    expect(await codeOf(() => patchConversation("u_bob", c.id, { temperature: 1 }, NOW))).toBe("404:null");
  });
});

describe("searching conversations", () => {
  it("finds a word in the title or in any message's text, ignoring case, only among the person's own", async () => {
    const freight = await createConversation("u_ann", null, { model: "m", title: "Freight timetable" }, NOW);
    const balloon = await createConversation("u_ann", null, { model: "m", title: "Trip ideas" }, NOW + 1);
    await replaceMessages({ conversationId: balloon.id, rows: [text("m1", "user", "Plan a trip"), text("m2", "assistant", "Try BALLOONING over the hills")], now: NOW + 2 });
    const bobs = await createConversation("u_bob", null, { model: "m", title: "Freight too" }, NOW);

    expect((await listConversations("u_ann", "freight")).data.map((c) => c.id)).toEqual([freight.id]);
    expect((await listConversations("u_ann", "ballooning")).data.map((c) => c.id)).toEqual([balloon.id]);
    expect((await listConversations("u_bob", "ballooning")).data).toEqual([]);
    expect((await listConversations("u_bob", "freight")).data.map((c) => c.id)).toEqual([bobs.id]);
    // Blank is no search: everything, most recently active first.
    expect((await listConversations("u_ann", "  ")).data.map((c) => c.id)).toEqual([balloon.id, freight.id]);
  });

  it("matches %, _ and \\ as themselves", async () => {
    const pct = await createConversation("u_ann", null, { model: "m", title: "Up 50% on last week" }, NOW);
    await createConversation("u_ann", null, { model: "m", title: "Up 500 on last week" }, NOW);
    const under = await createConversation("u_ann", null, { model: "m", title: "snake_case names" }, NOW);
    await createConversation("u_ann", null, { model: "m", title: "snakeXcase names" }, NOW);
    const slash = await createConversation("u_ann", null, { model: "m", title: "C:\\temp" }, NOW);
    expect((await listConversations("u_ann", "50%")).data.map((c) => c.id)).toEqual([pct.id]);
    expect((await listConversations("u_ann", "e_c")).data.map((c) => c.id)).toEqual([under.id]);
    expect((await listConversations("u_ann", ":\\t")).data.map((c) => c.id)).toEqual([slash.id]);
  });

  it("refuses a query longer than 200 characters", async () => {
    expect(await codeOf(() => listConversations("u_ann", "x".repeat(201)))).toBe("400:q");
  });
});
