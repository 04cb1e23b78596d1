package dev.berth.cli.client;

/** The API answered with an error status; {@code body} is what it wrote, shown to the user as is. */
public final class ApiException extends java.io.IOException {
    public final int status;
    public final String body;

    public ApiException(int status, String body) {
        super("HTTP " + status + ": " + body);
        this.status = status;
        this.body = body;
    }
}
