global using System.Buffers;
global using System.Text;
