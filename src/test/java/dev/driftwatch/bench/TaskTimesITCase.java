package dev.driftwatch.bench;

import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.connector.source.lib.NumberSequenceSource;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The bench's task times come from its own reporter, loaded by the MiniCluster like any configured reporter. */
class TaskTimesITCase {
    @Test
    void aFinishedJobsTasksReportTheirBusyAndIdleTimeAndNothingElseIsKept() throws Exception {
        Configuration conf = new Configuration();
        conf.set(RestOptions.BIND_ADDRESS, "127.0.0.1");
        conf.set(RestOptions.PORT, 0);
        TaskTimes.reportInto(conf);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(1);
        env.fromSource(new NumberSequenceSource(1, 2_000_000), WatermarkStrategy.noWatermarks(), "numbers")
                .map(n -> n * 31 % 7).name("scramble")
                .sinkTo(new DiscardingSink<>()).name("discard");
        try (MiniCluster cluster = new MiniCluster(new MiniClusterConfiguration.Builder()
                .setConfiguration(conf).setNumTaskManagers(1).setNumSlotsPerTaskManager(1).build())) {
            cluster.start();
            cluster.executeJobBlocking(env.getStreamGraph().getJobGraph());
        }
        Map<String, TaskTimes.TaskTime> times = TaskTimes.read();
        // one chained task: source, map and sink
        assertThat(times).hasSize(1);
        String task = times.keySet().iterator().next();
        assertThat(task).contains("numbers").contains("scramble");
        TaskTimes.TaskTime t = times.get(task);
        assertThat(t.busy()).as("busy seconds").isPositive();
        assertThat(t.backPressured()).isGreaterThanOrEqualTo(0);
        assertThat(t.idle()).isGreaterThanOrEqualTo(0);
    }
}
