"""Run Pulumi programs offline under the mock engine, recording what they declare."""
