import { IConstruct } from 'constructs';

/** Reads a template CDK wrote during synth: its text, by its path in the assembly. */
export type TemplateReader = (templatePath: string) => string;

const readers = new WeakMap<object, TemplateReader>();

/**
 * How the app's validation plugins read the templates CDK wrote (CDK hands a plugin their paths
 * only): set once per app by the caller that builds it (bin/app.ts, as `LambdaBundles.of(app)` is),
 * so that only bin/ reads files. PlatformChecks reads PLAT-SIZE1's sizes and PLAT-SEC1's build
 * definitions through it.
 */
export class TemplateFiles {
  public static of(scope: IConstruct): TemplateFiles {
    return new TemplateFiles(scope.node.root);
  }

  private constructor(private readonly root: IConstruct) {}

  /** The app's templates are read with `reader`. */
  public readWith(reader: TemplateReader): void {
    readers.set(this.root, reader);
  }

  /** The app's reader; an app without one cannot run the checks that read templates. */
  public get reader(): TemplateReader {
    const reader = readers.get(this.root);
    if (!reader) {
      throw new Error(
        "PlatformChecks reads the written templates through the app's TemplateFiles reader, and this app has none: set it where the app is built (TemplateFiles.of(app).readWith(...), as bin/app.ts does)",
      );
    }
    return reader;
  }
}
