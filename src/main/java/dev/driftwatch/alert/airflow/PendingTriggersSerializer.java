package dev.driftwatch.alert.airflow;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.core.io.SimpleVersionedSerializer;

/**
 * Versioned binary form of {@link PendingTriggers} for checkpoints and savepoints. Version 1: trigger count,
 * then per trigger dag_run_id, alert_id, model, body (length-prefixed UTF-8), accepted-at millis, attempts;
 * then cooldown count and per model: model, alert_id, started-at millis.
 */
public final class PendingTriggersSerializer implements SimpleVersionedSerializer<PendingTriggers> {
    static final int VERSION = 1;

    @Override
    public int getVersion() {
        return VERSION;
    }

    @Override
    public byte[] serialize(PendingTriggers state) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(state.getTriggers().size());
            for (PendingTrigger t : state.getTriggers()) {
                writeString(out, t.getDagRunId());
                writeString(out, t.getAlertId());
                writeString(out, t.getModel());
                writeString(out, t.getBody());
                out.writeLong(t.getAcceptedAtMillis());
                out.writeInt(t.getAttempts());
            }
            out.writeInt(state.getCooldowns().size());
            for (Map.Entry<String, CooldownEntry> e : state.getCooldowns().entrySet()) {
                writeString(out, e.getKey());
                writeString(out, e.getValue().getAlertId());
                out.writeLong(e.getValue().getStartedAtMillis());
            }
        }
        return bytes.toByteArray();
    }

    @Override
    public PendingTriggers deserialize(int version, byte[] serialized) throws IOException {
        if (version != VERSION) {
            throw new IOException("unknown version " + version + " of the Airflow sink's state (this build reads "
                    + VERSION + ")");
        }
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(serialized))) {
            int n = in.readInt();
            List<PendingTrigger> triggers = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                triggers.add(new PendingTrigger(readString(in), readString(in), readString(in), readString(in),
                        in.readLong(), in.readInt()));
            }
            int m = in.readInt();
            Map<String, CooldownEntry> cooldowns = new HashMap<>();
            for (int i = 0; i < m; i++) {
                String model = readString(in);
                cooldowns.put(model, new CooldownEntry(readString(in), in.readLong()));
            }
            return new PendingTriggers(triggers, cooldowns);
        }
    }

    // writeUTF stops at 64 KiB; a trigger body with many drifted features can be larger.
    private static void writeString(DataOutputStream out, String s) throws IOException {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.writeInt(b.length);
        out.write(b);
    }

    private static String readString(DataInputStream in) throws IOException {
        byte[] b = new byte[in.readInt()];
        in.readFully(b);
        return new String(b, StandardCharsets.UTF_8);
    }
}
