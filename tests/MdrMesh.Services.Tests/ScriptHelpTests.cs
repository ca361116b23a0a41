using System.Diagnostics;

namespace MdrMesh.Services.Tests;

/// <summary>
/// An operator who asks a script for help gets its usage and exit 0, whatever the script does otherwise. The
/// operator's scripts: deploy/*.sh and deploy/images/build.sh (the others are entrypoints run inside containers).
/// </summary>
public class ScriptHelpTests
{
    private static readonly string Root = FindRoot();

    public static TheoryData<string> Scripts()
    {
        var scripts = new TheoryData<string>();
        foreach (var path in Directory.GetFiles(Path.Combine(Root, "deploy"), "*.sh").Append(Path.Combine(Root, "deploy", "images", "build.sh")).Order())
            scripts.Add(Path.GetRelativePath(Root, path));
        return scripts;
    }

    [Theory]
    [MemberData(nameof(Scripts))]
    public async Task Every_deploy_script_answers_help_with_its_usage_and_exit_0(string script)
    {
        foreach (var flag in new[] { "--help", "-h" })
        {
            using var process = Process.Start(new ProcessStartInfo("bash", [script, flag])
            {
                WorkingDirectory = Root, RedirectStandardOutput = true, RedirectStandardError = true,
            })!;
            var output = await process.StandardOutput.ReadToEndAsync();
            var error = await process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            Assert.True(process.ExitCode == 0, $"{script} {flag} exited {process.ExitCode}: {error}");
            Assert.True(output.Split('\n').Length >= 2, $"{script} {flag} printed no usage: {output}");
            Assert.DoesNotContain("set -euo", output);
        }
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "MdrMesh.sln"))) return dir.FullName;
        throw new InvalidOperationException("MdrMesh.sln not found above the test's directory");
    }
}
