/**
 * The Java SDK of codeshard: run Python, JavaScript and TypeScript in persistent code contexts of a
 * self-hosted codeshard service, with the shape of the Cloudflare Sandbox SDK's code interpreter.
 *
 * <pre>{@code
 * Sandbox sandbox = Sandbox.connect("http://127.0.0.1:8080");
 * CodeContext ctx = sandbox.createCodeContext(CreateContextOptions.forLanguage(Language.PYTHON));
 *
 * sandbox.runCode("import math; radius = 5", RunCodeOptions.inContext(ctx));
 * ExecutionResult result = sandbox.runCode("math.pi * radius ** 2", RunCodeOptions.inContext(ctx));
 *
 * result.results().get(0).text(); // "78.53981633974483"
 * }</pre>
 *
 * <p>{@link io.codeshard.client.Sandbox} is the entry point; its documentation shows the default
 * context, errors of the code, JavaScript, charts and tables, and streaming callbacks. Results are the
 * {@link io.codeshard.protocol.ResultBundle}s and events the {@link io.codeshard.protocol.ExecutionEvent}s
 * of the {@code protocol} module; languages are {@link io.codeshard.protocol.Language}s.
 */
package io.codeshard.client;
