/** The brief's Customer Data Pipeline, exactly as the product brief prints it. */
export const BRIEF_YAML = `name: Customer Data Pipeline
tasks:
  - name: extract_s3
    timeout: 3600
    retry_count: 3
  - name: transform_spark
    depends_on: [extract_s3]
    timeout: 7200
  - name: load_warehouse
    depends_on: [transform_spark]
    timeout: 1800
`;
